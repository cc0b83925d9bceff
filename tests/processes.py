"""Python code run in a process of its own, as a second kernel or a user's script would be;
each prints what the test reads on a line ``RESULT <json>``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from conditions import unavailable


def run_python(tmp_path: Path, code: str, *args: str) -> Any:
    """Run ``python -c code args`` in a process of its own (its HOME in ``tmp_path``: Ganga's
    own files are not the user's); returns the JSON it printed on a line ``RESULT ...``."""
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=1200,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), "")
    assert line, (
        f"no result (exit {proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    )
    return json.loads(line[len("RESULT ") :])


# For on_a_small_disk's scripts: fill(path) writes ``path`` until the filesystem is full.
FILL = """
def fill(path):
    with open(path, "wb") as f:
        try:
            while True:
                f.write(b"x" * 65536)
                f.flush()
        except OSError:
            pass
"""


def on_a_small_disk(tmp_path: Path, *codes: str) -> tuple[list[Any], str]:
    """Run each ``python -c code gangadir`` in turn, the gangadir (``tmp_path/"small disk"``)
    an 8 MB tmpfs mounted in a mount namespace of the test's own: nothing outside sees it,
    and it goes when the last one ends. Returns every ``RESULT ...`` JSON printed, and stderr."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        unavailable("a filesystem of the test's own needs root and unshare(1)")
    gangadir = tmp_path / "small disk"
    gangadir.mkdir()
    each = 'mount -t tmpfs -o size=8m tmpfs "$1" || exit 1; d=$1; shift; '
    each += 'for code; do "$GW_PYTHON" -c "$code" "$d" || exit $?; done'
    proc = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", each, "sh",
         str(gangadir), *codes],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "HOME": str(tmp_path), "GW_PYTHON": sys.executable},
    )  # fmt: skip
    found = [
        json.loads(x[len("RESULT ") :]) for x in proc.stdout.splitlines() if x.startswith("RESULT ")
    ]
    assert len(found) == len(codes) and proc.returncode == 0, (
        f"exit {proc.returncode}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    )
    return found, proc.stderr
