"""Real Ganga jobs for the tests: the Python code they run, and the jobs that run it on the
Local backend or on the HTCondor pool."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

# A job's Python code that runs until its flag file (argv[1]) exists: a job that ends when
# the test says so, not after a time a slow machine may overrun.
UNTIL_FLAG = "import os, sys, time\nwhile not os.path.exists(sys.argv[1]):\n    time.sleep(0.1)\n"
# Holds sys.argv[2] MB of memory until sys.argv[1] exists.
HOLDS_MEMORY = (
    "import sys\nblock = bytearray(int(sys.argv[2]) * 2**20)\n"
    "for i in range(0, len(block), 4096):\n    block[i] = 1\n" + UNTIL_FLAG
)
# A memory policy of the tests' own, as a user's submit description would have it, worded
# as HTCondor's own cgroup hold is, with each job's usage (its code is the policy's, 3).
MEMORY_POLICY = {
    "request_memory": "100",
    "periodic_hold": "MemoryUsage =!= undefined && MemoryUsage > RequestMemory",
    "periodic_hold_reason": 'strcat("Job has gone over cgroup memory limit of ", RequestMemory, '
    '" megabytes. Last measured usage: ", MemoryUsage, " megabytes.  Consider resubmitting '
    'with a higher request_memory.")',
    "periodic_hold_subcode": "1",
}

# Subjobs a Local job runs at once: Ganga's default is the number of cores, so that tests
# waiting for "both running" would hang on one core and see four on sixteen.
LOCAL_BATCH = 2


def python_job(
    ganga: Any, code: str, args: list[list[str]] | None = None, name: str = "", **kwargs: Any
) -> Any:
    """A Local job running ``python -c code <args>``; with ``args``, one subjob per entry,
    ``LOCAL_BATCH`` of them at a time whatever the machine's cores.

    Ganga 8.7.12's Local backend gives jobs no PATH, so the interpreter is absolute."""
    app = ganga.Executable(exe=sys.executable, args=["-c", code])
    backend = ganga.Local(batchsize=LOCAL_BATCH)
    job = ganga.Job(name=name, application=app, backend=backend, **kwargs)
    if args is not None:
        job.splitter = ganga.ArgSplitter(args=[["-c", code, *a] for a in args])
    return job


def condor_job(
    ganga: Any,
    tmp_path: Path,
    code: str,
    args: list[list[str]] | None = None,
    name: str = "",
    **backend: Any,
) -> Any:
    """A Condor job running ``code`` with the kernel's own Python; with ``args``, one
    subjob per entry. (Ganga's Condor wrapper does not quote arguments: the code goes in a
    file, not on the command line.)"""
    script = tmp_path / f"job-{time.monotonic_ns()}.py"
    script.write_text(code)
    app = ganga.Executable(exe=sys.executable, args=[str(script)])
    job = ganga.Job(name=name, application=app, backend=ganga.Condor(**backend))
    if args is not None:
        job.splitter = ganga.ArgSplitter(args=[[str(script), *a] for a in args])
    return job


# A script's opening lines: bare Ganga (no configuration file, no ganga_widgets) started on
# the gangadir given as its first argument, as a user's other Ganga session would be.
BARE_GANGA = """
import json, os, sys
os.environ["GANGA_CONFIG_FILE"] = "/nonexistent"
import ganga
from GangaCore.Utility.Config import setConfigOption
setConfigOption("Configuration", "gangadir", sys.argv[1])
import ganga.ganga
"""
