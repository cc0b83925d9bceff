"""A Ganga job -> plain data (dicts, strings, numbers) for every view of it.

Nothing here knows about widgets: the same data drives the notebook view, the terminal view
and static HTML. Functions only read the job (and, through ``logs``, bounded parts of its
files); they never change it.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import Counter
from collections.abc import Iterable
from typing import Any

from . import logs
from .condor_events import Facts

# One character per status: the per-subjob grid of a 10,000-subjob job is a 10 kB string.
STATUS_CODES: dict[str, str] = {
    "new": "n",
    "submitting": "u",
    "submitted": "s",
    "idle": "i",  # HTCondor: queued, waiting for a slot (Ganga says "submitted")
    "held": "h",  # HTCondor: held (Ganga says "submitted" or "running")
    "suspended": "p",
    "running": "r",
    "completing": "g",
    "completed": "c",
    "completed_frozen": "C",
    "failed": "f",
    "failed_frozen": "F",
    "killed": "k",
    "removed": "x",
    "unknown": "?",
}
STATUS_OF_CODE: dict[str, str] = {code: status for status, code in STATUS_CODES.items()}

ACTIVE = frozenset({"submitting", "submitted", "running", "completing"})
# What a view may show of an active job when the batch system says more than Ganga does.
SHOWN_ACTIVE = ACTIVE | {"idle", "held", "suspended"}
FINAL = frozenset({"completed", "completed_frozen", "failed", "failed_frozen", "killed", "removed"})
FAILED = frozenset({"failed", "failed_frozen"})

# The failures panel shows this many failed subjobs, each with this many stderr lines.
FAILURES_SHOWN = 5
FAILURE_LINES = 5
FAILURE_BYTES = 8 * 1024
# Above this many subjobs the grid is cut (the counts stay exact): bounds message size.
MAX_CELLS = 50_000
# Names and comments are free text set by anyone: bounded like log lines.
MAX_TEXT = 300


def code_of(status: str) -> str:
    return STATUS_CODES.get(status, "?")


# -- subjob statuses, kept incrementally ------------------------------------------------------


def subjob_statuses(job: Any) -> list[str]:
    """Statuses of all subjobs, from Ganga's index where subjobs are not loaded yet."""
    subjobs = job.subjobs
    if hasattr(subjobs, "getAllSJStatus"):  # lazily loaded subjobs (a job read from disk)
        return list(subjobs.getAllSJStatus())
    return [sj.status for sj in subjobs]


class SubjobCodes:
    """The status code of every subjob plus counts by status, updated per changed subjob.

    A flush after a few changes costs O(changes), not O(subjobs): counts are adjusted, never
    recounted from thousands of Ganga objects.
    """

    def __init__(self, statuses: Iterable[str] = ()) -> None:
        self.codes = [code_of(s) for s in statuses]
        self._counts = Counter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def set(self, index: int, status: str) -> bool:
        """Record one subjob's status; returns whether anything changed."""
        if not 0 <= index < len(self.codes):
            return False
        new = code_of(status)
        old = self.codes[index]
        if new == old:
            return False
        self.codes[index] = new
        self._counts[old] -= 1
        self._counts[new] += 1
        return True

    def text(self) -> str:
        return "".join(self.codes[:MAX_CELLS])

    def counts(self) -> dict[str, int]:
        """Subjobs per status, nonzero only, in the order of STATUS_CODES."""
        return {
            status: self._counts[code]
            for status, code in STATUS_CODES.items()
            if self._counts[code] > 0
        }

    def first(self, *statuses: str) -> int | None:
        """Index of the first subjob in any of ``statuses`` (tried in that order)."""
        for status in statuses:
            code = code_of(status)
            if self._counts[code] > 0:
                return self.codes.index(code)
        return None

    def indices(self, status_set: Iterable[str], limit: int) -> list[int]:
        wanted = {code_of(s) for s in status_set}
        found = []
        for i, c in enumerate(self.codes):
            if c in wanted:
                found.append(i)
                if len(found) == limit:
                    break
        return found


# -- the job itself ----------------------------------------------------------------------------


def fqid(job: Any) -> str:
    master = job.master
    return f"{master.id}.{job.id}" if master is not None else str(job.id)


def times(job: Any) -> dict[str, float | None]:
    """Epoch seconds of the moments a user cares about; None where not reached (yet)."""
    stamps = dict(job.time.timestamps)

    def epoch(key: str) -> float | None:
        value = stamps.get(key)
        return value.timestamp() if value is not None else None

    resubmitted = epoch("resubmitted")
    started = epoch("running") or epoch("backend_running")
    if resubmitted and started and started < resubmitted:
        started = None  # the previous attempt's start
    finished = epoch("final") if job.status in FINAL else None
    if resubmitted and finished and finished < resubmitted:
        finished = None
    return {
        "created": epoch("new"),
        "submitted": resubmitted or epoch("submitted"),
        "started": started,
        "finished": finished,
    }


def summary(job: Any) -> dict[str, Any]:
    """What the header of a job's view shows."""
    return {
        "id": job.id,
        "fqid": fqid(job),
        "name": logs.clean_line(str(job.name or ""), MAX_TEXT),
        "comment": logs.clean_line(str(job.comment or ""), MAX_TEXT),
        "application": type(job.application).__name__ if job.application else "",
        "backend": backend_name(job),
        "status": str(job.status),
        "subjobs": len(job.subjobs),
        "times": times(job),
        "outputdir": outputdir(job),
    }


def backend_name(job: Any) -> str:
    return backend_type(job.backend)


def backend_type(backend: Any) -> str:
    """A backend object's name as Ganga users know it (Local, Condor, ...)."""
    if backend is None:
        return ""
    backend = getattr(backend, "_impl", backend)  # a public proxy
    return str(getattr(backend, "_name", type(backend).__name__))


def outputdir(job: Any) -> str:
    try:
        return str(job.outputdir)
    except Exception:  # no workspace (e.g. a job removed meanwhile)
        return ""


_EXITCODE = re.compile(r"^EXITCODE: (-?\d+)", re.M)
# The last line Ganga's Condor job wrapper prints: os.system's wait status.
_WRAPPER_EXIT = re.compile(rb"Exit code: (\d+)\s*$")


def exit_code(job: Any) -> int | None:
    """The application's exit code once the job ended: from the backend, from the status
    file of Local/batch jobs, or from the last line of a Condor job's stdout."""
    if job.status not in FINAL:
        return None
    code = getattr(job.backend, "exitcode", None)
    if isinstance(code, int):
        return code
    text = logs.read_small(os.path.join(outputdir(job), "__jobstatus__"))
    match = _EXITCODE.search(text or "")
    if match:
        return int(match.group(1))
    end = logs.read_end(os.path.join(outputdir(job), "stdout"), 256)
    wrapped = _WRAPPER_EXIT.search(end or b"")
    if wrapped:
        status = int(wrapped.group(1))
        return status >> 8 if status & 0x7F == 0 else -(status & 0x7F)  # a signal: -N
    return None


def stderr_location(job: Any) -> tuple[str, str]:
    """(path, source) of the stderr a user wants to see now: while a Local job runs it is
    written in ``backend.workdir`` and copied to ``outputdir`` only at the end."""
    if job.status in ACTIVE:
        workdir = getattr(job.backend, "workdir", "") or ""
        live = os.path.join(workdir, "stderr")
        if workdir and os.path.isfile(live):
            return live, "live"
    return os.path.join(outputdir(job), "stderr"), "output"


def stderr_tail(
    job: Any,
    max_lines: int = logs.MAX_LINES,
    max_bytes: int = logs.MAX_BYTES,
    live: tuple[bytes, str] | None = None,
) -> dict[str, Any]:
    """The end of the job's stderr, or why there is none to show. ``live``: (data, error)
    of a running Condor job's stderr, fetched from its execute node (by condor_tail)."""
    if live is not None and job.status in ACTIVE:
        data, error = live
        if not error:
            result = logs.from_bytes(data[-max_bytes:], path=f"condor_tail {job.backend.id}",
                                     max_lines=max_lines)  # fmt: skip
            return {**result.to_dict(), "source": "live"}
    path, source = stderr_location(job)
    outputdir = os.path.dirname(path)
    if source == "output" and not os.path.isdir(outputdir):
        result = logs.Tail(path=path, error=f"output directory missing: {outputdir}").to_dict()
    else:
        result = logs.tail(path, max_lines=max_lines, max_bytes=max_bytes).to_dict()
        if result["error"] and result["error"].startswith("no file") and job.status not in FINAL:
            result["error"] = "no stderr yet"
    if live is not None and live[1] and not result["text"]:
        result["error"] = f"live stderr unavailable: {live[1]}"  # e.g. no condor_tail here
    result["source"] = source
    return result


def detail(
    job: Any,
    facts: Facts | None = None,
    why_idle_after: float = 60,
    live_stderr: tuple[bytes, str] | None = None,
) -> dict[str, Any]:
    """The panel for one (sub)job: status, exit code, times, where it ran, stderr tail,
    and for a Condor job what HTCondor says about it."""
    backend = job.backend
    status = display_status(str(job.status), facts)
    result = {
        "fqid": fqid(job),
        "subjob": job.id if job.master is not None else None,
        "status": status,
        "exit_code": exit_code(job),
        "times": times(job),
        "host": str(getattr(backend, "actualCE", "") or ""),
        "backend_id": _plain(getattr(backend, "id", None)),
        "stderr": stderr_tail(job, live=live_stderr),
        "can_kill": job.status in ("submitted", "running"),
        "condor": None,
        "call_error": call_error(job) if job.status in FINAL else None,
    }
    if facts is not None:
        result["condor"] = condor_detail(facts, why_idle_after)
        if facts.host:
            result["host"] = facts.slot or facts.host
    return result


def display_status(ganga_status: str, facts: Facts | None) -> str:
    """Ganga's status, made precise by what HTCondor said: an active job may be idle, held
    or suspended (Ganga says "submitted"), or already finished on the batch side while
    Ganga collects it ("completing"); a job removed there is shown killed at once."""
    if facts is None or ganga_status not in ACTIVE or ganga_status == "submitting":
        return ganga_status
    return {
        "idle": "idle",
        "held": "held",
        "suspended": "suspended",
        "running": "running",
        "completed": "completing",
        "removed": "killed",
    }.get(facts.status, ganga_status)


def job_status(ganga_status: str, counts: dict[str, int]) -> str:
    """A split job's status as shown. Ganga ranks "submitted" above "running", so a job
    stays "submitted" until none of its subjobs is queued: show "running" as soon as one
    runs; if none does, say whether they are held or idle. When every subjob has ended
    but Ganga has not settled the master yet (HTCondor's event log is seconds ahead of its
    poll), "completing", not a "running" badge over a bar of ended subjobs."""
    if ganga_status not in ("submitted", "running"):
        return ganga_status
    for shown in ("running", "held", "idle"):
        if counts.get(shown):
            return shown
    if counts and all(shown in FINAL or shown == "completing" for shown in counts):
        return "completing"
    return ganga_status


def condor_detail(facts: Facts, why_idle_after: float) -> dict[str, Any]:
    """What HTCondor says of one job, for its detail panel."""
    idle_for = None
    if facts.status == "idle" and facts.status_since:
        idle_for = max(0.0, now() - facts.status_since)
    return {
        **facts.to_dict(),
        "wall_s": facts.wall_s,
        "idle_for": idle_for,
        "why_idle": idle_for is not None and idle_for >= why_idle_after,
        "can_hold": facts.status in ("idle", "running"),
        "can_release": facts.status == "held",
    }


def held_groups(held: list[tuple[int, Facts]], limit: int = 5) -> list[dict[str, Any]]:
    """Held subjobs grouped by reason (50 subjobs held for one reason are one line)."""
    groups: dict[tuple, dict[str, Any]] = {}
    for index, facts in held:
        key = (facts.hold_code, facts.hold_reason)
        group = groups.setdefault(
            key, {"reason": facts.hold_reason, "code": facts.hold_code,
                  "subcode": facts.hold_subcode, "count": 0, "subjobs": []}
        )  # fmt: skip
        group["count"] += 1
        if len(group["subjobs"]) < 10:
            group["subjobs"].append(index)
    return sorted(groups.values(), key=lambda g: -g["count"])[:limit]


# What a submit() call leaves in its subjob's output directory (see worker.py).
CALL_RESULT = "gw-result.pkl"
CALL_ERROR = "gw-error.json"
SHOWN_TRACEBACK = 16 * 1024


def call_error(job: Any) -> dict[str, Any] | None:
    """How a submit() call failed (type, message, traceback, host), or None: it returned,
    has not ended, or the job was not made by submit()."""
    text = logs.read_small(os.path.join(outputdir(job), CALL_ERROR), 256 * 1024)
    try:
        record = json.loads(text) if text else None
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    return {
        "type": logs.clean_line(str(record.get("type", "?")), 200),
        "message": logs.clean_line(str(record.get("message", "")), 2000),
        "traceback": str(record.get("traceback", ""))[-SHOWN_TRACEBACK:],
        "host": logs.clean_line(str(record.get("host", "")), 200),
    }


def failure(job: Any) -> dict[str, Any]:
    """One failed subjob as the failures panel lists it."""
    tail = stderr_tail(job, max_lines=FAILURE_LINES, max_bytes=FAILURE_BYTES)
    error = call_error(job)
    if error is not None:  # a submit() call: its exception says more than stderr
        error["traceback"] = "\n".join(error["traceback"].rstrip().splitlines()[-FAILURE_LINES:])
    return {
        "subjob": job.id,
        "fqid": fqid(job),
        "exit_code": exit_code(job),
        "tail": tail["text"],
        "error": tail["error"],
        "call_error": error,
    }


def actions(status: str, counts: dict[str, int], has_subjobs: bool) -> dict[str, bool]:
    """Which actions make sense now (the view greys out the others). ``status`` is Ganga's."""
    failed = sum(counts.get(s, 0) for s in FAILED) if has_subjobs else int(status in FAILED)
    return {
        "kill": status in ("submitted", "running"),
        "resubmit": failed > 0,
        "release_held": counts.get("held", 0) > 0,
    }


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def now() -> float:
    return time.time()
