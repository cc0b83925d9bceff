"""Guards on how Ganga 8.7.12 writes jobs to its registry (the LocalXML repository).

Ganga writes a changed job to disk every 30 s, and at submission, holding the job: a status
change (from monitoring, a kill, the user) waits for the write. For a job of 10,000 subjobs
one write after a single change took 4-5 s. With these guards the files are the same, byte
for byte, and Ganga as it comes reads them; they are written faster, and a big job is
written in steps that let status changes through.
"""

from __future__ import annotations

import os
import time
import weakref
from io import StringIO
from typing import Any

from . import registry_xml

_INSTALLED = "_ganga_widgets_registry_writes"

# The longest a write of a big job holds it at once (its master's own XML apart): what a
# status change can wait. Measured at 10,000 subjobs: waits of 22-26 ms.
HOLD_S = 0.02
# Below this many subjobs Ganga's own write is short: it is left as it is.
BIG_JOB = 100

# id(subjob) -> (weak reference, its entry in subjobs.idx, with 'modified' = its file's
# ctime), valid while the subjob is not changed (not dirty) and not written again.
_entries: dict[int, tuple[Any, dict[str, Any]]] = {}


def install(job_class: type) -> None:
    """Apply the guards once (idempotent)."""
    if job_class.__dict__.get(_INSTALLED):
        return
    _stream_values_as_held()
    _mark_written_without_reading_transients()
    _one_display_slice_for_index_entries()
    _keep_index_entries()
    _clean_subjobs_once_written()
    _write_big_jobs_in_steps(job_class)
    setattr(job_class, _INSTALLED, True)


def _stream_values_as_held() -> None:
    """Defect: writing a job to the registry (each subjob, at submission and every 30 s
    after a change) reads each value through Ganga's attribute access, which takes the
    job's lock again per value, computes the transient ones it does not write (a job's
    input and output directories: workspace look-ups), and prints each line through a
    chain of visitor calls: ~1 ms a subjob, holding the job. Guard: the writer, already
    holding the lock, reads each value as that access would (the object's data first),
    skips the values it would not write, and writes the same text directly
    (``registry_xml``)."""
    from GangaCore.Core.GangaRepository.VStreamer import VStreamer
    from GangaCore.GPIDev.Base.Objects import GangaObject

    original_accept = GangaObject.accept

    def accept(self: Any, visitor: Any) -> Any:
        if type(visitor) is not VStreamer or self._schema is None:
            return original_accept(self, visitor)
        with self.const_lock:  # as Ganga's: the whole object at once
            registry_xml.Writer(visitor, accept).node(self, visitor.level)
        return None

    GangaObject.accept = accept


def _mark_written_without_reading_transients() -> None:
    """Defect: marking a written object clean (``_setFlushed``, for every subjob written)
    reads each of its values through Ganga's attribute access, the job's lock again per
    value, and computes the transient ones it then skips (workspace look-ups again). Guard:
    those are skipped first, and the others read as that access would (the object's data
    first); the same objects are marked clean."""
    from GangaCore.GPIDev.Base.Objects import GangaObject, Node

    original = GangaObject._setFlushed

    def _setFlushed(self: Any, auto_load_deps: bool = True) -> None:
        if not (self._schema and auto_load_deps):
            original(self, auto_load_deps)
            return
        data = self._data_dict
        for _, name, _, getter, transient in registry_xml.visits(type(self)):
            if transient:  # Ganga's skips them too, once computed
                continue
            value = data[name] if not getter and name in data else getattr(self, name)
            if isinstance(value, Node) and value._dirty:
                value._setFlushed()
        Node._setFlushed(self)

    GangaObject._setFlushed = _setFlushed


def _one_display_slice_for_index_entries() -> None:
    """Defect: each index entry (one per subjob written) builds a registry slice, which
    evaluates Ganga's display configuration anew (a dozen ``eval`` calls): about half of an
    entry's cost. Guard: entries share one slice, made again when that configuration
    changes; the entry is the same (Ganga's ``getIndexCache``, with that one change)."""
    from GangaCore.GPIDev.Lib.Registry.JobRegistry import JobRegistry, JobRegistrySlice
    from GangaCore.GPIDev.Lib.Registry.RegistrySlice import config

    made: dict[str, Any] = {}

    def display() -> Any:
        key = repr(
            [
                config[f"jobs_{name}"]
                for name in ("columns", "columns_functions", "columns_show_empty")
            ]
        )
        if key not in made:
            made.clear()
            made[key] = JobRegistrySlice("jobs")
        return made[key]

    def getIndexCache(self: Any, obj: Any) -> dict[str, Any]:
        cache = {name: getattr(obj, name) for name in ("status", "id", "name", "comment")}
        shown = display()
        for column in shown._display_columns:
            try:
                cache["display:" + column] = shown._get_display_value(obj, column)
            except Exception:  # as Ganga's: a column it cannot show is left out
                pass
        if hasattr(obj, "subjobs"):
            subjobs = obj.subjobs
            if hasattr(subjobs, "getAllCachedData"):
                cache["subjobs:status"] = [e["status"] for e in subjobs.getAllCachedData()]
            else:
                cache["subjobs:status"] = [subjob.status for subjob in subjobs]
        return cache

    JobRegistry.getIndexCache = getIndexCache


def _remember(subjob: Any, entry: dict[str, Any]) -> None:
    key = id(subjob)

    def forget(ref: Any) -> None:
        if _entries.get(key, (None,))[0] is ref:
            del _entries[key]

    _entries[key] = (weakref.ref(subjob, forget), entry)


def _entry_made(registry: Any, subjob: Any, data_file: str) -> dict[str, Any]:
    """A subjob's index entry as Ganga makes it (``modified``: its file's ctime), kept."""
    entry = registry.getIndexCache(subjob)
    entry["modified"] = os.stat(data_file).st_ctime
    _remember(subjob, entry)
    return entry


def _kept(subjob: Any) -> dict[str, Any] | None:
    """The subjob's index entry as last written, if it has not changed since."""
    hit = _entries.get(id(subjob))
    if hit is None or hit[0]() is not subjob or subjob._dirty:
        return None
    return hit[1]


def _keep_index_entries() -> None:
    """Defect: after any change to a job, Ganga rewrites its subjobs' index (subjobs.idx)
    with an entry for every subjob, computed anew: 0.3 ms each (a registry slice built per
    entry), 2.4 s at 10,000 subjobs for one changed subjob. Guard: the entry of a subjob
    that has not changed since it was written is the one written then (its ``modified`` is
    that file's ctime, as Ganga reads it); a subjob written anew gets a new entry."""
    from GangaCore.Core.GangaRepository import GangaRepositoryXML
    from GangaCore.Core.GangaRepository.GangaRepositoryXML import safe_save
    from GangaCore.Core.GangaRepository.PickleStreamer import to_file as pickle_to
    from GangaCore.Core.GangaRepository.SubJobXMLList import SubJobXMLList
    from GangaCore.GPIDev.Base.Proxy import stripProxy

    def guarded_save(fn: str, obj: Any, to_file: Any, ignore_subs: str = "") -> None:
        _entries.pop(id(stripProxy(obj)), None)  # written anew: its entry changes
        safe_save(fn, obj, to_file, ignore_subs)

    guarded_save.lock = safe_save.lock  # type: ignore[attr-defined]
    # Ganga's writers look it up in that module at each call.
    GangaRepositoryXML.safe_save = guarded_save

    data_file = "_SubJobXMLList__get_dataFile"

    def entry(self: Any, index: int, subjob: Any) -> dict[str, Any]:
        found = _kept(subjob)
        if found is None:
            found = _entry_made(self._registry, subjob, getattr(self, data_file)(index))
        return found

    def write_index(self: Any, ignore_disk: bool = False) -> None:  # as Ganga's, entries kept
        entries = {}
        for index in list(self._cachedJobs) if ignore_disk else range(len(self)):
            if index not in self._cachedJobs and index in self._subjobIndexData:
                entries[index] = self._subjobIndexData[index]
            else:
                entries[index] = entry(self, index, self[index])
        path = os.path.join(self._jobDirectory, self._subjob_master_index_name)
        try:
            with open(path, "wb") as f:
                pickle_to(entries, f)
        except OSError:  # as Ganga's: the index only saves reading the subjobs
            pass

    SubJobXMLList._SubJobXMLList__really_writeIndex = write_index
    original_all_cached = SubJobXMLList.getAllCachedData

    def getAllCachedData(self: Any) -> list[dict[str, Any]]:
        """As Ganga's (the index entries of every subjob, for the master's own index), with
        the entries of unchanged loaded subjobs kept."""
        if len(self._subjobIndexData) != len(self):
            return original_all_cached(self)
        out = []
        for index in range(len(self)):
            subjob = self._cachedJobs.get(index)
            if subjob is None:
                out.append(self._subjobIndexData[index])
                continue
            found = _kept(subjob)
            if found is None:
                out.append(self._registry.getIndexCache(subjob))
            else:  # as getIndexCache(subjob) makes it: no 'modified'
                out.append({k: v for k, v in found.items() if k != "modified"})
        return out

    SubJobXMLList.getAllCachedData = getAllCachedData


def _clean_subjobs_once_written() -> None:
    """Defect: a job read back from disk (its subjobs a ``SubJobXMLList``) keeps every
    subjob it has written marked as changed: each later write of the job writes them all
    again. Guard: once written, they are marked clean, as Ganga does for a job split in the
    session."""
    from GangaCore.Core.GangaRepository.SubJobXMLList import SubJobXMLList

    original = SubJobXMLList.flush

    def flush(self: Any, ignore_disk: bool = False) -> None:
        original(self, ignore_disk)
        for index in list(self._cachedJobs) if ignore_disk else range(len(self)):
            subjob = self._cachedJobs.get(index)
            if subjob is not None and subjob._dirty:
                subjob._setFlushed()

    SubJobXMLList.flush = flush


def _write_big_jobs_in_steps(job_class: Any) -> None:
    """Defect: Ganga writes a job, every subjob and its index, in one hold of the job: at
    10,000 subjobs 20 s for the first write and 4 s after one change, during which no
    status of the job can change (benchmarks/registry_write.py).
    Guard: a job of ``BIG_JOB`` subjobs or more, split in this session, is turned into text
    in holds of at most ``HOLD_S``, and its files are written with the job released; a
    subjob changed meanwhile is written again at the end, or at the next write."""
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
                    found = fresh.get(k) or _kept(subjob)
                    if found is None:  # written by Ganga's own path: as it makes it
                        found = _entry_made(registry, subjob, subjob_file(k))
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
                _remember(subjob, entry)
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
