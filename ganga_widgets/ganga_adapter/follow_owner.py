"""A read-only session follows the owner's jobs from what reaches disk.

Each pass (every second, from ``sharing``'s thread) stats each job's file: every job a view
follows or that is still active, and up to ``SWEEP`` others in turn (the owner writes a
job's own file last, after its subjobs' and their index, whatever changed). A job the owner
has saved since is read again in place (``disk_reload``), before any job this session read
only from an older index; a job it created is added, one it removed dropped. The status
files Local jobs write as they start and end are read too: they say "running" or "ended"
before the owner's Ganga saves its view of it. Every change goes to the dispatcher, as the
status hook's do in the owner. Bounded: one stat a job, ``RELOADS + CATCH_UP`` reads a
pass.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from ..dispatcher import dispatcher
from ..vocabulary.files import output_file
from ..vocabulary.protocols import GangaJob
from ..vocabulary.status import ACTIVE
from . import disk_reload, local_status, objects

SWEEP = 2000  # jobs neither followed nor active looked at per pass: 10,000 in 5 s
RELOADS = 50  # jobs saved since this session read them, read again per pass at most
# Jobs this session knows only from an index older than their file (the owner changed them
# before this session started), read per pass: a catch-up in the background (~10 ms each).
CATCH_UP = 10

Key = tuple[int, "int | None"]


class Follower:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[int, Any] = {}  # each job's file as last read into it
        self._local: dict[Key, tuple[Any, local_status.LocalStatus | None]] = {}
        self._sweep_at = 0  # where the next slice of other jobs starts

    # -- for views --------------------------------------------------------------------------

    def local_status(self, master_id: int, index: int | None) -> local_status.LocalStatus | None:
        """What a followed Local (sub)job's status file said at the last pass."""
        with self._lock:
            entry = self._local.get((master_id, index))
        return entry[1] if entry is not None else None

    # -- a pass -------------------------------------------------------------------------------

    def step(self) -> int:
        """Look at what changed on disk once, and tell the dispatcher. Returns how many jobs
        are left to catch up with (see ``CATCH_UP``)."""
        repository = _repository()
        jobs = dict(repository.objects)
        changed = self._jobs_added_or_removed(jobs)
        followed = dispatcher().followed()
        loaded = repository._fully_loaded
        ids = sorted(jobs)
        urgent = [i for i in ids if i in followed or _active(jobs[i], loaded.get(i) is jobs[i])]
        chosen = set(urgent)
        others = [i for i in ids if i not in chosen]
        if self._sweep_at >= len(others):
            self._sweep_at = 0
        sweep = others[self._sweep_at : self._sweep_at + SWEEP]
        self._sweep_at += SWEEP
        saved, stale = [], []  # saved since read, most urgent first; never read since saved
        for job_id in urgent + sweep:
            path = repository.get_fn(job_id)
            now = disk_reload.signature(path)
            seen = self._seen.get(job_id)
            if seen is None:
                if _older_than_file(repository, job_id, jobs[job_id], loaded, path):
                    stale.append((job_id, now))
                else:
                    self._seen[job_id] = now
            elif seen != now:
                saved.append((job_id, now))
        for job_id, now in saved[:RELOADS] + stale[:CATCH_UP]:
            if disk_reload.reload(job_id):
                self._seen[job_id] = now
                changed.add(job_id)
        for job_id in urgent:
            job = jobs[job_id]
            if loaded.get(job_id) is job and _is_local(job):
                changed |= self._read_local_status(job)
        now_jobs = repository.objects
        for job_id in changed:
            dispatcher().notify(job_id, None, now_jobs.get(job_id))  # None: removed
        return max(0, len(stale) - CATCH_UP)

    def catch_up(self) -> None:
        """Read every job the owner saved since this session last read it (before taking
        over: Ganga's monitoring must start from the owner's last word)."""
        repository = _repository()
        jobs = dict(repository.objects)
        self._jobs_added_or_removed(jobs)
        for job_id, job in jobs.items():
            path = repository.get_fn(job_id)
            now = disk_reload.signature(path)
            seen = self._seen.get(job_id)
            older = _older_than_file(repository, job_id, job, repository._fully_loaded, path)
            if (seen is None and older) or (seen is not None and seen != now):
                disk_reload.reload(job_id)

    def _jobs_added_or_removed(self, jobs: dict[int, Any]) -> set[int]:
        on_disk = disk_reload.ids_on_disk()
        if on_disk is None:  # cannot list now: nothing is taken for removed
            return set()
        changed = set()
        for job_id in on_disk - set(jobs):
            if disk_reload.adopt(job_id):
                changed.add(job_id)
        for job_id in set(jobs) - on_disk:
            disk_reload.forget(job_id)
            self._seen.pop(job_id, None)
            changed.add(job_id)
        if changed:
            jobs.update(_repository().objects)
        return changed

    def _read_local_status(self, job: GangaJob) -> set[int]:
        """Read the status files of a Local job's active (sub)jobs that changed; the job's id
        if any did."""
        statuses = objects.subjob_statuses(job)
        indices: list[int | None] = [i for i, s in enumerate(statuses) if s in ACTIVE]
        if not statuses and job.status in ACTIVE:
            indices = [None]
        changed = False
        for index in indices:
            path = output_file(job, index, local_status.FILE_NAME)
            signature = disk_reload.signature(path)
            key = (job.id, index)
            with self._lock:
                entry = self._local.get(key)
            if entry is not None and entry[0] == signature:
                continue
            found = local_status.read(path) if signature is not None else None
            with self._lock:
                self._local[key] = (signature, found)
            changed = changed or entry is None or entry[1] != found
        return {job.id} if changed else set()


def _repository() -> Any:
    from GangaCore.Core.GangaRepository import getRegistry

    return getRegistry("jobs").repository


def _active(job: Any, loaded: bool) -> bool:
    """Whether the job is active as this session last read it (its index, if not loaded)."""
    if loaded:
        return job.status in ACTIVE
    entry = job._index_cache_dict
    return isinstance(entry, dict) and entry.get("status") in ACTIVE


def _is_local(job: GangaJob) -> bool:
    return getattr(job.backend, "_name", "") == "Local"


def _older_than_file(
    repository: Any, job_id: int, job: GangaJob, loaded: dict[int, Any], path: str
) -> bool:
    """Whether the job's file was saved after this session read it (loaded: its file then;
    listed only: its index entry, which Ganga writes when it creates the job and when a
    session ends)."""
    try:
        saved = os.stat(path).st_ctime
    except OSError:
        return False
    if loaded.get(job_id) is job:
        return saved != repository._load_timestamp.get(job_id)
    return saved > repository._cache_load_timestamp.get(job_id, 0)


_follower = Follower()


def follower() -> Follower:
    return _follower
