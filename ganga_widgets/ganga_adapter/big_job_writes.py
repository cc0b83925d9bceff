"""A big job written to Ganga 8.7.12's registry in steps that let status changes through.

Ganga writes a job, every subjob and its index, in one hold of the job: at 10,000 subjobs
20 s for the first write and 4 s after one change, during which no status of the job can
change (benchmarks/registry_write.py). Here the same files are written, the job held at
most ``HOLD_S`` at a time.
"""

from __future__ import annotations

import os
import time
from io import StringIO
from typing import Any

from .registry_index import entry_made, kept, remember

# The longest a write of a big job holds it at once (its master's own XML apart): what a
# status change can wait. Measured at 10,000 subjobs: waits of 22-26 ms.
HOLD_S = 0.02
# Below this many subjobs Ganga's own write is short: it is left as it is.
BIG_JOB = 100


def install(job_class: Any) -> None:
    """Defect: the write of a big job holds it from start to end (above). Guard: a job of
    ``BIG_JOB`` subjobs or more, split in this session, is turned into text in holds of at
    most ``HOLD_S``, and its files are written with the job released; a subjob changed
    meanwhile is written again at the end, or at the next write. (Once:
    ``registry_writes.install``.)"""
    from GangaCore.Core.GangaRepository import VStreamer
    from GangaCore.Core.GangaRepository.Registry import Registry
    from GangaCore.GPIDev.Lib.GangaList.GangaList import GangaList

    original = Registry._flush

    def _flush(self: Any, objs: Any) -> Any:
        with self._flush_lock:  # as Ganga's: one write at a time
            rest = []
            obj: Any
            for obj in objs if isinstance(objs, list | tuple | GangaList) else [objs]:
                subjobs = obj._data.get("subjobs") if isinstance(obj, job_class) else None
                if (
                    isinstance(subjobs, GangaList)
                    and len(subjobs) >= BIG_JOB
                    and obj._dirty
                    and obj._getParent() is None
                    and self.hasStarted() is True
                    and getattr(self.repository, "to_file", None) is VStreamer.to_file
                    and self.has_loaded(obj)
                    and self.find(obj) not in self.repository.incomplete_objects
                ):
                    _write_in_steps(self, obj, subjobs._list)
                else:
                    rest.append(obj)
            return original(self, rest) if rest else None

    Registry._flush = _flush


def _write_in_steps(registry: Any, job: Any, subjobs: list[Any]) -> None:
    """Ganga's write of a job split in this session (``_safe_flush_xml`` and what
    ``flush`` does after it), in steps: the changed subjobs' XML, a hold at a time; then
    those changed meanwhile and the index; then the master's XML. Files are written
    between holds."""
    from GangaCore.Core.exceptions import RepositoryError
    from GangaCore.Core.GangaRepository import GangaRepositoryXML, VStreamer
    from GangaCore.Core.GangaRepository.PickleStreamer import to_file as pickle_to
    from GangaCore.GPIDev.Base.Proxy import getName

    repo = registry.repository
    job_id = registry.find(job)
    master_file = repo.get_fn(job_id)
    job_dir = os.path.dirname(master_file)

    def subjob_file(index: int) -> str:
        return os.path.join(job_dir, str(index), repo.dataFileName)

    def snapshot(index: int, subjob: Any, out: list[Any]) -> None:
        text = StringIO()
        VStreamer.to_file(subjob, text)
        out.append((index, subjob, text.getvalue(), registry.getIndexCache(subjob)))
        subjob._setFlushed()

    scanned, stage = 0, "subjobs"
    index: dict[int, dict[str, Any]] = {}
    while stage != "done":
        out: list[Any] = []
        master_text = None
        with job.const_lock:
            until = time.perf_counter() + HOLD_S
            while scanned < len(subjobs) and time.perf_counter() < until:
                if subjobs[scanned]._dirty:
                    snapshot(scanned, subjobs[scanned], out)
                scanned += 1
            if stage == "subjobs" and scanned >= len(subjobs) and not out:
                # every subjob seen: those changed since (while files were written) and
                # the index, in one hold
                stage = "index"
                for k, subjob in enumerate(subjobs):
                    if subjob._dirty:
                        snapshot(k, subjob, out)
                fresh = {k: entry for k, _, _, entry in out}
                for k, subjob in enumerate(subjobs):
                    found = fresh.get(k) or kept(subjob)
                    if found is None:  # written by Ganga's own path: as it makes it
                        found = entry_made(registry, subjob, subjob_file(k))
                    index[k] = found
            elif stage == "index":
                stage = "done"  # the master, in a hold of its own
                text = StringIO()
                VStreamer.to_file(job, text, ["subjobs"])
                master_text = text.getvalue()
                job._data["subjobs"]._dirty = False  # written above: not descended into
                job._setFlushed()
                if any(subjob._dirty for subjob in subjobs):  # changed since: next write
                    job._dirty = True
        time.sleep(0)  # the job released: a thread waiting for it runs now
        try:
            for k, subjob, text_of, entry in out:
                GangaRepositoryXML.safe_save(subjob_file(k), subjob, _writer(text_of))
                entry["modified"] = os.stat(subjob_file(k)).st_ctime
                remember(subjob, entry)
            if stage == "index" and master_text is None:
                with open(os.path.join(job_dir, "subjobs.idx"), "wb") as f:
                    pickle_to(index, f)
            if master_text is not None:
                GangaRepositoryXML.safe_save(master_file, job, _writer(master_text), "subjobs")
        except OSError as error:
            for _, subjob, _, _ in out:  # not written: written at the next write
                subjob._setDirty()
            job._setDirty()
            raise RepositoryError(repo, f"Error on flushing id '{job_id}': {error}") from error
    for name in os.listdir(job_dir):  # as Ganga's: directories of subjobs no longer there
        if name.isdigit() and int(name) >= len(index):
            GangaRepositoryXML.rmrf(os.path.join(job_dir, name))
    repo._cache_load_timestamp[job_id] = time.time()
    repo._cached_cls[job_id] = getName(job)
    repo._cached_cat[job_id] = job._category
    repo.index_write(job_id)
    repo._fully_loaded.setdefault(job_id, job)


def _writer(text: str) -> Any:
    """A ``to_file`` for Ganga's ``safe_save`` that writes text already made."""

    def write(obj: Any, f: Any, ignore_subs: Any = "") -> None:
        f.write(text)

    return write
