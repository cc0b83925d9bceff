"""Guards on a job's subjob index (``subjobs.idx``) as Ganga 8.7.12 writes it.

The index holds an entry per subjob (status, id, name, display columns, and ``modified``,
its file's time) so that Ganga can list a job's subjobs without reading them. Ganga computes
every entry anew at each write of the job; these guards keep the entry of a subjob that has
not changed since it was written. The entries are the same, and so is the file.
"""

from __future__ import annotations

import os
import weakref
from typing import Any

# id(subjob) -> (weak reference, its entry in subjobs.idx, with 'modified' = its file's
# ctime), valid while the subjob is not changed (not dirty) and not written again.
_entries: dict[int, tuple[Any, dict[str, Any]]] = {}


def install() -> None:
    """Apply the guards (once: ``registry_writes.install``)."""
    _one_display_slice_for_index_entries()
    _keep_index_entries()
    _clean_subjobs_once_written()


def remember(subjob: Any, entry: dict[str, Any]) -> None:
    """Keep ``entry`` as the subjob's, written, until the subjob changes or goes."""
    key = id(subjob)

    def forget(ref: Any) -> None:
        if _entries.get(key, (None,))[0] is ref:
            del _entries[key]

    _entries[key] = (weakref.ref(subjob, forget), entry)


def entry_made(registry: Any, subjob: Any, data_file: str) -> dict[str, Any]:
    """A subjob's index entry as Ganga makes it (``modified``: its file's ctime), kept."""
    entry = registry.getIndexCache(subjob)
    entry["modified"] = os.stat(data_file).st_ctime
    remember(subjob, entry)
    return entry


def kept(subjob: Any) -> dict[str, Any] | None:
    """The subjob's index entry as last written, if it has not changed since."""
    hit = _entries.get(id(subjob))
    if hit is None or hit[0]() is not subjob or subjob._dirty:
        return None
    return hit[1]


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
        found = kept(subjob)
        if found is None:
            found = entry_made(self._registry, subjob, getattr(self, data_file)(index))
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
            found = kept(subjob)
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
