"""Jobs read again from the files of the Ganga session that owns the gangadir, in place.

A second Ganga session on a gangadir reads each job once and never again: the owner's later
saves go unseen. Here a job is read again from the owner's files into this session's own
object (the one every view holds), with Ganga's own parser. Nothing is written, locked or
deleted: Ganga's ``load()`` is not used, as it restores a backup over a file it catches
between the owner's two renames and deletes a job's index when its file is missing. A file
caught mid-write is simply read again at the next look.
"""

from __future__ import annotations

import os
from typing import Any

DATA = "data"  # the file of a job, and of each subjob, in Ganga's LocalXML repository
SUBJOB_INDEX = "subjobs.idx"


def signature(path: str) -> tuple[int, int, int] | None:
    """A file's inode, modification time and size: a file replaced or rewritten differs."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def _repository() -> Any:
    from GangaCore.Core.GangaRepository import getRegistry

    return getRegistry("jobs").repository


def ids_on_disk() -> set[int] | None:
    """The ids of the jobs whose files are in the repository (a job's directory holds its
    file once it is saved), or None if the repository cannot be listed."""
    root = _repository().root
    found: set[int] = set()
    try:
        chunks = [c for c in os.listdir(root) if c.endswith("xxx") and c[:-3].isdigit()]
        for chunk in chunks:
            found.update(int(n) for n in os.listdir(os.path.join(root, chunk)) if n.isdigit())
    except OSError:
        return None
    return found


def adopt(job_id: int) -> bool:
    """Add a job the owner created to this session's registry, from its index file as Ganga
    does at start-up (loaded whole when first read); False if its index is not written yet."""
    from GangaCore.Core.GangaRepository import getRegistry

    registry = getRegistry("jobs")
    repository = registry.repository
    if not os.path.exists(repository.get_idxfn(job_id)):
        return False
    with registry._flush_lock, registry._read_lock:
        if job_id in repository.objects:
            return True
        try:
            repository.index_load(job_id)
        except Exception:  # caught mid-write, or unreadable: looked at again later
            return False
    return job_id in repository.objects


def forget(job_id: int) -> None:
    """Drop a job the owner removed (its files are gone) from this session's registry."""
    from GangaCore.Core.GangaRepository import getRegistry

    registry = getRegistry("jobs")
    with registry._flush_lock, registry._read_lock:
        if job_id in registry.repository.objects:
            registry.repository._internal_del__(job_id)


def reload(job_id: int) -> bool:
    """Read job ``job_id`` again from its files into this session's object. Subjobs whose
    entry in the owner's index is unchanged keep their objects (nothing else of them is
    read); the others are read when asked for. False if the files could not be read whole
    now (mid-write, or gone): nothing changed, try again later."""
    from GangaCore.Core.GangaRepository import getRegistry
    from GangaCore.Core.GangaRepository.SubJobXMLList import SubJobXMLList

    registry = getRegistry("jobs")
    repository = registry.repository
    path = repository.get_fn(job_id)
    try:
        with open(path) as stream:  # one open: the owner's rename cannot split the read
            fresh, errors = repository.from_file(stream)
    except Exception:  # missing between the owner's renames, or cut short
        return False
    if errors:
        return False
    folder = os.path.dirname(path)
    children = SubJobXMLList.checkJobHasChildren(folder, DATA)
    with registry._flush_lock, registry._read_lock:
        job = repository.objects.get(job_id)
        if job is None:
            return False
        before = job._data.get("subjobs")
        # An index entry left from the job's first listing would have Ganga check it
        # against the job, and lock and rewrite the index where they differ: not ours to do.
        job._index_cache = {}
        repository._parse_xml(path, job_id, False, children, fresh)
        after = job._data.get("subjobs")
        complete = not children or _index_complete(after)
        if complete and children:
            _keep_unchanged(before, after)
        # Nothing read here is a change of this session's to save: Ganga's flusher must not
        # write the owner's job back (a subjob index read mid-write marks it changed).
        job._setFlushed()
        repository._fully_loaded[job_id] = job
    return complete


def _index_complete(subjobs: Any) -> bool:
    """Whether the subjob index was read whole (the owner may have been writing it)."""
    entries = getattr(subjobs, "_subjobIndexData", None)
    return isinstance(entries, dict) and len(entries) == len(subjobs)


def _keep_unchanged(before: Any, after: Any) -> None:
    """Keep the subjobs already read whose index entry (status, times of their file, ...)
    is the same in the new index: a reload costs what changed, not the job's size."""
    old_entries = getattr(before, "_subjobIndexData", None)
    cached = getattr(before, "_cachedJobs", None)
    if not isinstance(old_entries, dict) or not isinstance(cached, dict):
        return
    new_entries = after._subjobIndexData
    for index, subjob in cached.items():
        entry = old_entries.get(index)
        if entry is not None and entry == new_entries.get(index):
            after._cachedJobs[index] = subjob
