"""Ganga's kills, completed: what a kill (or a removal outside Ganga) leaves behind."""

from __future__ import annotations

import logging
import os
import signal
import time

from ..jobdata.status import IN_BATCH
from .protocols import GangaJob

log = logging.getLogger("ganga_widgets")


def mark_removed_job_killed(job: GangaJob) -> None:
    """Defect: Ganga judges a Condor job removed outside it (condor_rm) from its stdout, so
    it becomes "failed" -- after 10 minutes if the stdout is empty. Its event log says it
    was removed: move it to "killed", the state Ganga's own kill leaves."""
    if job.status in IN_BATCH:
        try:
            job.updateStatus("killed")
        except Exception as err:  # e.g. Ganga's monitor got there first
            log.debug("ganga_widgets: could not mark %s killed: %s", job.getFQID("."), err)


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
    found = []
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
            if text.startswith(root) and os.path.basename(text).startswith("__jobscript__"):
                found.append(int(entry))
                break
    return found
