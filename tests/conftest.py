"""Shared fixtures. Tests marked ``ganga`` run in their own process (see isolation.py)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from isolation import (  # noqa: F401  the hooks that give each Ganga test its own process
    pytest_configure,
    pytest_runtest_logreport,
    pytest_runtest_protocol,
)

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"


def wait_until(
    condition: Callable[[], Any], timeout: float, what: str, interval: float = 0.05
) -> Any:
    """Poll ``condition`` until it returns something truthy; fail with ``what`` at the
    deadline. Returns the truthy value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"after {timeout} s still waiting for: {what}")
        time.sleep(interval)


@pytest.fixture
def ganga(tmp_path: Path) -> Any:
    """Ganga started in this (isolated) process with a fresh gangadir and a 1 s Local poll;
    returns Ganga's public interface (``Job``, ``jobs``, ``Local``, ...)."""
    import ganga_widgets
    from ganga_widgets import session

    ganga_widgets.start(gangadir=str(tmp_path / "gangadir"), poll={"Local": 1})
    return session.gpi()


def python_job(
    ganga: Any, code: str, args: list[list[str]] | None = None, name: str = "", **kwargs: Any
) -> Any:
    """A Local job running ``python -c code <args>``; with ``args``, one subjob per entry.

    Ganga 8.7.12's Local backend gives jobs no PATH, so the interpreter is absolute."""
    app = ganga.Executable(exe=sys.executable, args=["-c", code])
    job = ganga.Job(name=name, application=app, backend=ganga.Local(), **kwargs)
    if args is not None:
        job.splitter = ganga.ArgSplitter(args=[["-c", code, *a] for a in args])
    return job


def pid_alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
