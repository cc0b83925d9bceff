"""A read-only session follows the owner's jobs from what reaches disk.

Each pass (every second, from ``sharing``'s thread) looks at the files of the jobs that
matter now: those a view follows and those still active, plus a slice of the others in
turn. A job the owner has saved since is read again in place (``disk_reload``); a job it
created is added, one it removed dropped. The status files Local jobs write as they start
and end are read too: they say "running" or "ended" long before the owner's Ganga saves its
view of it. Every change goes to the dispatcher, as the status hook's do in the owner.
Bounded: a few stats per followed job, ``SWEEP`` other jobs and ``RELOADS`` reads a pass.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from ..dispatcher import dispatcher
from ..jobdata.status import ACTIVE
from . import disk_reload, local_status, objects

SWEEP = 200  # jobs neither followed nor active looked at per pass: 5,000 in 25 s
RELOADS = 50  # jobs read again per pass at most (most urgent first)

Key = tuple[int, "int | None"]


class Follower:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[int, disk_reload.OnDisk] = {}  # files as last read into the job
        self._local: dict[Key, tuple[Any, local_status.LocalStatus | None]] = {}
        self._sweep_at = 0  # where the next slice of other jobs starts

    # -- for views --------------------------------------------------------------------------

    def local_status(self, master_id: int, index: int | None) -> local_status.LocalStatus | None:
        """What a followed Local (sub)job's status file said at the last pass."""
        with self._lock:
            entry = self._local.get((master_id, index))
        return entry[1] if entry is not None else None

    # -- a pass -------------------------------------------------------------------------------

    def step(self) -> None:
        """Look at what changed on disk once, and tell the dispatcher."""
        jobs = _registry_objects()
        changed = self._jobs_added_or_removed(jobs)
        followed = dispatcher().followed()
        urgent = [i for i in sorted(jobs) if i in followed or _active(jobs[i])]
        chosen = set(urgent)
        others = [i for i in sorted(jobs) if i not in chosen]
        if self._sweep_at >= len(others):
            self._sweep_at = 0
        sweep = others[self._sweep_at : self._sweep_at + SWEEP]
        self._sweep_at += SWEEP
        reloads = 0
        for job_id in urgent + sweep:
            if reloads >= RELOADS:
                break
            if self._read_if_saved(job_id, jobs[job_id]):
                reloads += 1
                changed.add(job_id)
        for job_id in urgent:
            job = jobs[job_id]
            if objects.is_loaded(job) and _is_local(job):
                changed |= self._read_local_status(job)
        now = _registry_objects()
        for job_id in changed:
            dispatcher().notify(job_id, None, now.get(job_id))  # None: removed

    def catch_up(self) -> None:
        """Read every job the owner saved since this session last read it (before taking
        over: Ganga's monitoring must start from the owner's last word)."""
        jobs = _registry_objects()
        self._jobs_added_or_removed(jobs)
        for job_id, job in jobs.items():
            self._read_if_saved(job_id, job)

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
            jobs.update(_registry_objects())
        return changed

    def _read_if_saved(self, job_id: int, job: Any) -> bool:
        """Read the job again if the owner saved it since (True if it was read)."""
        now = disk_reload.on_disk(job_id)
        seen = self._seen.get(job_id)
        if seen is None:  # first look: is what this session holds older than the file?
            if not _older_than_file(job_id, job):
                self._seen[job_id] = now
                return False
        elif seen == now:
            return False
        if disk_reload.reload(job_id):
            self._seen[job_id] = now
            return True
        return False

    def _read_local_status(self, job: Any) -> set[int]:
        """Read the status files of a Local job's active (sub)jobs that changed; the job's id
        if any did."""
        statuses = objects.subjob_statuses(job)
        indices: list[int | None] = [i for i, s in enumerate(statuses) if s in ACTIVE]
        if not statuses and job.status in ACTIVE:
            indices = [None]
        changed = False
        for index in indices:
            path = objects.output_file(job, index, local_status.FILE_NAME)
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


def _registry_objects() -> dict[int, Any]:
    from GangaCore.Core.GangaRepository import getRegistry

    return dict(getRegistry("jobs").repository.objects)


def _active(job: Any) -> bool:
    entry = objects.index_entry(job)
    status = entry.get("status") if entry is not None else getattr(job, "status", None)
    return status in ACTIVE


def _is_local(job: Any) -> bool:
    return getattr(job.backend, "_name", "") == "Local"


def _older_than_file(job_id: int, job: Any) -> bool:
    """Whether the job's file was saved after this session read it (loaded: its file then;
    listed only: its index entry, which Ganga writes when it creates the job and when a
    session ends)."""
    from GangaCore.Core.GangaRepository import getRegistry

    repository = getRegistry("jobs").repository
    try:
        saved = os.stat(repository.get_fn(job_id)).st_ctime
    except OSError:
        return False
    if objects.is_loaded(job):
        return saved != repository._load_timestamp.get(job_id)
    return saved > repository._cache_load_timestamp.get(job_id, 0)


_follower = Follower()


def follower() -> Follower:
    return _follower
