"""A Ganga job -> plain data (dicts, strings, numbers) for every view of it.

Nothing here knows about widgets: the same data drives the notebook view, the terminal view
and static HTML. Functions only read the job (and, through ``logs``, bounded parts of its
files); they never change it.
"""

from __future__ import annotations

import datetime
import json
import os
import re
from typing import TYPE_CHECKING, Any

from ..ganga_adapter import local_status
from ..vocabulary import logs
from ..vocabulary.files import CALL_ERROR
from ..vocabulary.protocols import GangaJob, fqid
from ..vocabulary.status import ACTIVE, FAILED, FINAL, IN_BATCH, display_status
from .condor_facts import condor_detail

if TYPE_CHECKING:
    from ..condor.facts import Facts

# The failures panel shows this many failed subjobs, each with this many stderr lines.
FAILURES_SHOWN = 5
FAILURE_LINES = 5
FAILURE_BYTES = 8 * 1024
# Names and comments are free text set by anyone: bounded like log lines.
MAX_TEXT = 300
SHOWN_TRACEBACK = 16 * 1024


# -- the job itself ----------------------------------------------------------------------------


def times(job: GangaJob) -> dict[str, float | None]:
    """Epoch seconds of the moments a user cares about; None where not reached (yet).
    ``submitted`` is the first submission (Ganga's own stamp is of the last one: the one
    before is kept as ``first_submitted``, see ganga_adapter.hook); ``started`` and
    ``finished`` are of this attempt, after the last resubmission."""
    stamps = dict(job.time.timestamps)
    resubmitted = _epoch(stamps, "resubmitted")
    started = last_start(job)
    if resubmitted and started and started < resubmitted:
        started = None  # the previous attempt's start
    finished = _epoch(stamps, "final") if job.status in FINAL else None
    if resubmitted and finished and finished < resubmitted:
        finished = None
    submitted = [t for t in (_epoch(stamps, "first_submitted"), _epoch(stamps, "submitted")) if t]
    return {
        "created": _epoch(stamps, "new"),
        "submitted": min(submitted) if submitted else None,
        "resubmitted": resubmitted,
        "started": started,
        "finished": finished,
    }


def last_start(job: GangaJob) -> float | None:
    """When the job last started running, whichever attempt that was."""
    return stamp(job, "running") or stamp(job, "backend_running")


def stamp(job: GangaJob, key: str) -> float | None:
    """A moment Ganga recorded of the job (of its last attempt), in epoch seconds."""
    return _epoch(job.time.timestamps, key)


def _epoch(stamps: Any, key: str) -> float | None:
    value = stamps.get(key)
    if not isinstance(value, datetime.datetime):
        return None
    if value.tzinfo is None and not key.startswith("backend_"):
        # Ganga's own stamps are UTC without saying so (its backends' are local time)
        value = value.replace(tzinfo=datetime.UTC)
    return value.timestamp()


def identity(job: GangaJob) -> dict[str, Any]:
    """Who a job is, as every view names it (a dashboard row has no more of it)."""
    return {
        "id": job.id,
        "name": logs.clean_line(str(job.name or ""), MAX_TEXT),
        "comment": logs.clean_line(str(job.comment or ""), MAX_TEXT),
        "application": type(job.application).__name__ if job.application else "",
        "backend": backend_name(job),
        "status": str(job.status),
        "times": times(job),
    }


def summary(job: GangaJob) -> dict[str, Any]:
    """What the header of a job's view shows."""
    return {
        **identity(job),
        "fqid": fqid(job),
        "subjobs": len(job.subjobs),
        "outputdir": outputdir(job),
        "files": files_note(job),
    }


def files_note(job: GangaJob) -> str:
    """How a job's files reach its batch nodes, where that is not a shared filesystem."""
    if backend_name(job) == "Condor" and getattr(job.backend, "shared_filesystem", True) is False:
        return "files shipped by HTCondor"
    return ""


def backend_name(job: GangaJob) -> str:
    return backend_type(job.backend)


def backend_type(backend: Any) -> str:
    """A backend object's name as Ganga users know it (Local, Condor, ...)."""
    if backend is None:
        return ""
    backend = getattr(backend, "_impl", backend)  # a public proxy
    return str(getattr(backend, "_name", type(backend).__name__))


def outputdir(job: GangaJob) -> str:
    """The job's output directory, not made if missing: Ganga's ``job.outputdir`` makes it,
    and Ganga's Condor resubmission deletes it and then makes it anew, failing
    (FileExistsError) when a view's read made it in between (seen in a loaded run)."""
    try:
        workspace = getattr(job, "getOutputWorkspace", None)
        if workspace is None:  # Ganga's public object
            return str(job.outputdir)
        return str(workspace(create=False).getPath())
    except Exception:  # no workspace (e.g. a job removed meanwhile)
        return ""


# The last line Ganga's Condor job wrapper prints: os.system's wait status.
_WRAPPER_EXIT = re.compile(rb"Exit code: (\d+)\s*$")


def exit_code(job: GangaJob) -> int | None:
    """The application's exit code once the job ended: from the backend, from the status
    file of Local/batch jobs, or from the last line of a Condor job's stdout."""
    if job.status not in FINAL:
        return None
    code = getattr(job.backend, "exitcode", None)
    if isinstance(code, int):
        return code
    text = logs.read_small(os.path.join(outputdir(job), local_status.FILE_NAME))
    code = local_status.exit_code(text or "")
    if code is not None:
        return code
    end = logs.read_end(os.path.join(outputdir(job), "stdout"), 256)
    wrapped = _WRAPPER_EXIT.search(end or b"")
    if wrapped:
        status = int(wrapped.group(1))
        return status >> 8 if status & 0x7F == 0 else -(status & 0x7F)  # a signal: -N
    return None


def stderr_location(job: GangaJob) -> tuple[str, str]:
    """(path, source) of the stderr a user wants to see now: while a Local job runs it is
    written in ``backend.workdir`` and copied to ``outputdir`` only at the end."""
    if job.status in ACTIVE:
        workdir = getattr(job.backend, "workdir", "") or ""
        live = os.path.join(workdir, "stderr")
        if workdir and os.path.isfile(live):
            return live, "live"
    return os.path.join(outputdir(job), "stderr"), "output"


def stderr_tail(
    job: GangaJob,
    max_lines: int = logs.MAX_LINES,
    max_bytes: int = logs.MAX_BYTES,
    live: tuple[bytes, str] | None = None,
) -> dict[str, Any]:
    """The end of the job's stderr, or why there is none to show. ``live``: (data, error)
    of a running Condor job's stderr, fetched from its execute node (by condor_tail)."""
    if live is not None and job.status in ACTIVE:
        data, error = live
        if not error:
            where = f"condor_tail {job.backend.id}"
            fetched = logs.from_bytes(data[-max_bytes:], path=where, max_lines=max_lines)
            return {**fetched.to_dict(), "source": "live"}
    path, source = stderr_location(job)
    outputdir = os.path.dirname(path)
    result: dict[str, Any]
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
    job: GangaJob,
    facts: Facts | None = None,
    why_idle_after: float = 60,
    live_stderr: tuple[bytes, str] | None = None,
) -> dict[str, Any]:
    """The panel for one (sub)job: status, exit code, times, where it ran, stderr tail,
    and for a Condor job what HTCondor says about it."""
    backend = job.backend
    status = display_status(job.status, facts)
    result = {
        "fqid": fqid(job),
        "subjob": job.id if job.master is not None else None,
        "status": status,
        "exit_code": exit_code(job),
        "times": times(job),
        "host": str(getattr(backend, "actualCE", "") or ""),
        "backend_id": _plain(getattr(backend, "id", None)),
        "stderr": stderr_tail(job, live=live_stderr),
        "can_kill": job.status in IN_BATCH,
        "condor": None,
        "call_error": call_error(job) if job.status in FINAL else None,
    }
    if facts is not None:
        result["condor"] = condor_detail(facts, why_idle_after)
        if facts.host:
            result["host"] = facts.slot or facts.host
    return result


def call_error(job: GangaJob) -> dict[str, Any] | None:
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


def failure(job: GangaJob) -> dict[str, Any]:
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
        "kill": status in IN_BATCH,
        "resubmit": failed > 0,
        "release_held": counts.get("held", 0) > 0,
    }


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
