"""What a test waits for or cannot do without: a condition, waited on with a deadline; a
process, alive or gone; a real dependency this machine cannot give."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import pytest


def wait_until(
    condition: Callable[[], Any],
    timeout: float,
    what: str,
    interval: float = 0.05,
    shown: Callable[[], Any] | None = None,
) -> Any:
    """Poll ``condition`` until it returns something truthy; fail with ``what`` at the
    deadline (and what ``shown`` returns then: the state that was seen instead). Returns
    the truthy value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            seen = f"; instead: {shown()!r}" if shown is not None else ""
            raise AssertionError(f"after {timeout} s still waiting for: {what}{seen}")
        time.sleep(interval)


def pid_alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def unavailable(reason: str) -> None:
    """Skip a test whose real dependency cannot run here; under CI=true, fail instead."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: every test must run)")
    pytest.skip(reason)
