"""The harness itself (isolation.py): a Ganga test that hangs fails alone, and nothing it
started runs on."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conditions import pid_alive

HANGS = """
import os, subprocess, sys, time
import pytest

pytestmark = pytest.mark.ganga


@pytest.mark.timeout(5)
def test_hangs_leaving_a_process(tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)",
                                str(tmp_path)], start_new_session=True)
    with open(os.environ["SLEEPER_PID"], "w") as f:
        f.write(str(sleeper.pid))
    while True:
        time.sleep(1)


def test_runs_after_it():
    assert True
"""


def test_a_hanging_test_fails_alone_and_what_it_left_running_is_ended(tmp_path: Path) -> None:
    shutil.copy(Path(__file__).with_name("isolation.py"), tmp_path)
    (tmp_path / "conftest.py").write_text(
        "from isolation import (pytest_collection_modifyitems, pytest_configure,\n"
        "                       pytest_runtest_logreport, pytest_runtest_protocol)\n"
    )
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    ganga: own process\n")
    (tmp_path / "test_hangs.py").write_text(HANGS)
    pid_file = tmp_path / "sleeper.pid"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=240,
        env={**os.environ, "SLEEPER_PID": str(pid_file)},
    )  # fmt: skip
    out = proc.stdout + proc.stderr
    assert "1 failed, 1 passed" in out, out[-3000:]
    assert "Timeout (>5.0s)" in out, out[-3000:]  # the child's own timeout, reported
    assert "left running by the test, ended" in out, out[-3000:]
    assert not pid_alive(int(pid_file.read_text())), "the test's process runs on"
