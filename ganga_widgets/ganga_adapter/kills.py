"""Ganga's kills, completed: what a kill (or a removal outside Ganga) leaves behind."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from ..vocabulary.files import output_file
from ..vocabulary.protocols import GangaJob
from ..vocabulary.status import IN_BATCH
from . import local_status, sharing
from .ganga_log import GUARDS

log = logging.getLogger("ganga_widgets")

# The jobs (FQIDs) a kill in this session is ending. Ganga kills every subjob's processes
# first and marks them "killed" after: in between they are "running" without processes.
_KILLING: set[str] = set()
_KILLING_LOCK = threading.Lock()


@contextmanager
def killing(job: GangaJob) -> Iterator[None]:
    """While Ganga kills ``job`` (and its subjobs), they are not taken for jobs killed
    from outside."""
    fqid = job.getFQID(".")
    with _KILLING_LOCK:
        _KILLING.add(fqid)
    try:
        yield
    finally:
        with _KILLING_LOCK:
            _KILLING.discard(fqid)


def _being_killed(job: GangaJob) -> bool:
    fqid = job.getFQID(".")
    with _KILLING_LOCK:
        return fqid in _KILLING or fqid.split(".")[0] in _KILLING


def mark_removed_job_killed(job: GangaJob) -> None:
    """Defect: Ganga judges a Condor job removed outside it (condor_rm) from its stdout, so
    it becomes "failed" -- after 10 minutes if the stdout is empty. Its event log says it
    was removed: move it to "killed", the state Ganga's own kill leaves."""
    if job.status in IN_BATCH and not sharing.read_only():  # the owner's Ganga does it there
        try:
            job.updateStatus("killed")
        except Exception as err:  # e.g. Ganga's monitor got there first
            log.debug("ganga_widgets: could not mark %s killed: %s", job.getFQID("."), err)


def fail_local_jobs_left_without_processes(jobs: list[GangaJob]) -> None:
    """Defect: Ganga's Local monitoring waits for the exit code the job script writes as it
    ends. A job whose processes were killed from outside (``kill -9``, the kernel's OOM
    killer, another Ganga session's kill) never writes one: it shows "running" forever.
    A running Local job with no process left (no job script of its own, no application
    process), and still no exit code once that is known, is marked failed, saying why."""
    running = [job for job in jobs if job.status == "running"]
    if not running:
        return
    scripts = _running_scripts()
    for job in running:
        root = _job_root(job)
        if not root or any(path.startswith(root) for path in scripts.values()):
            continue
        application = getattr(job.backend, "id", None)
        if isinstance(application, int) and application > 0 and _alive(application):
            continue  # its job script was killed, the program it started runs on
        if _exit_code_written(job):
            continue  # it ended as the monitor looked: Ganga's next pass reads it
        # In this order, a kill from this session is never missed: one that ended these
        # processes is still registered, or has already marked the job "killed".
        if _being_killed(job) or job.status != "running":
            continue
        GUARDS.warning(
            "job %s: its processes ended without an exit code (killed from outside "
            "Ganga?): marked failed",
            job.getFQID("."),
        )
        try:
            job.updateStatus("failed")
        except Exception as err:  # e.g. Ganga's monitor got there first
            log.debug("ganga_widgets: could not mark %s failed: %s", job.getFQID("."), err)


def _exit_code_written(job: GangaJob) -> bool:
    found = local_status.read(output_file(job, None, local_status.FILE_NAME))
    return found is not None and found.exit_code is not None


def _alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie (one killed, not yet reaped)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def kill_local_orphans(job: GangaJob, grace: float = 0.3) -> list[int]:
    """Defect: killing a Local job kills only the subjobs the monitor has already seen
    running; one started in the last poll period is still "submitted" to Ganga
    (`wrapper_pid == -1`), is marked killed, and its process runs on, orphaned.

    Kills, by process group, every process still running one of ``job``'s job scripts and
    returns the PIDs it signalled. Looks twice, ``grace`` seconds apart, to catch a script
    that was being started while the batch runner was killed.
    """
    inputdir = _job_root(job)
    if not inputdir:
        return []
    killed: list[int] = []
    for attempt in range(2):
        for pid in _pids_running_scripts_under(inputdir):
            try:
                os.killpg(os.getpgid(pid), signal.SIGKILL)
                killed.append(pid)
            except (ProcessLookupError, PermissionError):
                pass
        if attempt == 0:
            time.sleep(grace)
    return killed


def _job_root(job: GangaJob) -> str:
    """The directory holding the job's `input/` (`.../LocalXML/<id>/` for a master, whose
    subjobs lie below it, `.../LocalXML/<id>/<sj>/` for a subjob)."""
    try:
        path = job.getInputWorkspace().getPath()
    except Exception:
        return ""
    return os.path.dirname(os.path.normpath(path)) + os.sep


def _pids_running_scripts_under(root: str) -> list[int]:
    """PIDs whose command line runs a Ganga `__jobscript__` located below ``root``."""
    return [pid for pid, path in _running_scripts().items() if path.startswith(root)]


def _running_scripts() -> dict[int, str]:
    """PID -> the Ganga `__jobscript__` its command line runs, for every such process."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                args = f.read().split(b"\0")
        except OSError:
            continue
        for arg in args:
            text = arg.decode("utf-8", "replace")
            if os.path.basename(text).startswith("__jobscript__"):
                found[int(entry)] = text
                break
    return found
