"""Another Ganga session on a gangadir, in a process of its own: the owner that a second
kernel follows read-only (test_shared_gangadir.py, the browser tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ganga_jobs import UNTIL_FLAG

# The owner: another process on the gangadir, with Ganga's monitoring (as a notebook kernel
# or a terminal would have it). It submits a Local job that runs until argv[2] exists,
# prints its id, and on each line of its stdin: "submit" another such job, "split" one of
# two subjobs, "quit".
OWNER = (
    "import sys, ganga_widgets\n"
    "from ganga_widgets import session\n"
    "ganga_widgets.start(gangadir=sys.argv[1], poll={'Local': 1})\n"
    "g = session.gpi()\n"
    "def job(split=False):\n"
    "    args = ['-c', sys.argv[3], sys.argv[2]]\n"
    "    app = g.Executable(exe=sys.executable, args=args)\n"
    "    j = g.Job(name='owned', application=app, backend=g.Local())\n"
    "    if split:\n"
    "        j.splitter = g.ArgSplitter(args=[args, args])\n"
    "    j.submit()\n"
    "    print('JOB', j.id, flush=True)\n"
    "job()\n"
    "for line in sys.stdin:\n"
    "    if line.strip() in ('submit', 'split'):\n"
    "        job(split=line.strip() == 'split')\n"
    "    elif line.strip() == 'quit':\n"
    "        break\n"
)


class Owner:
    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process

    def next_job(self) -> int:
        """The id of the job the owner says it submitted (its other lines are Ganga's)."""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("JOB "):
                return int(line.split()[1])
        raise AssertionError(f"the owner ended (exit {self.process.wait()}) without a job")

    def say(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()


@contextmanager
def owner_of(gangadir: Path, flag: Path, home: Path) -> Iterator[Owner]:
    process = subprocess.Popen(
        [sys.executable, "-c", OWNER, str(gangadir), str(flag), UNTIL_FLAG],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "HOME": str(home)},
    )
    try:
        yield Owner(process)
    finally:
        flag.touch()  # its jobs end, whatever the test did
        if process.poll() is None:
            process.kill()
        process.wait()
