"""The status file Ganga's Local backend has each job write: ``<outputdir>/__jobstatus__``.

Its job script writes ``START: <time>`` and ``PID: <n>`` as the job starts, and
``EXITCODE: <n>`` and ``STOP: <time>`` as it ends (times in UTC, as ``time.asctime``).
Ganga's Local monitoring reads it to move a job to running, completed or failed.
"""

from __future__ import annotations

import calendar
import re
import time
from dataclasses import dataclass

from ..vocabulary.status import BatchStatus

FILE_NAME = "__jobstatus__"
MAX_BYTES = 4096  # the file is a few lines; a larger one is not Ganga's

_EXITCODE = re.compile(r"^EXITCODE: (-?\d+)", re.M)
_START = re.compile(r"^START: (.+)$", re.M)
_STOP = re.compile(r"^STOP: (.+)$", re.M)


@dataclass(frozen=True)
class LocalStatus:
    """What a Local job's status file says."""

    status: BatchStatus  # "running" (started) or "completed" (ended: its exit code is written)
    started: float | None = None  # epoch seconds
    ended: float | None = None
    exit_code: int | None = None


def exit_code(text: str) -> int | None:
    """The exit code a status file's text records, if the job has ended."""
    found = _EXITCODE.search(text)
    return int(found.group(1)) if found else None


def parse(text: str) -> LocalStatus | None:
    """A status file's text as a status; None before the job has started."""
    code = exit_code(text)
    started = _time(_START.search(text))
    if code is None and started is None and "PID:" not in text:
        return None
    ended = _time(_STOP.search(text))
    return LocalStatus("completed" if code is not None else "running", started, ended, code)


def read(path: str) -> LocalStatus | None:
    """The status a file says (None: no file, or the job has not started)."""
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_BYTES)
    except OSError:
        return None
    return parse(data.decode("utf-8", "replace"))


def _time(found: re.Match[str] | None) -> float | None:
    if found is None:
        return None
    try:
        return float(calendar.timegm(time.strptime(found.group(1).strip())))
    except ValueError:
        return None
