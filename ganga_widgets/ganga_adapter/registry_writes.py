"""Guards on how Ganga 8.7.12 writes jobs to its registry (the LocalXML repository).

Ganga writes a changed job to disk every 30 s, and at submission, holding the job: a status
change (from monitoring, a kill, the user) waits for the write. For a job of 10,000 subjobs
one write after a single change took 4-5 s. With these guards the files are the same, byte
for byte, and Ganga as it comes reads them; they are written faster, and a big job is
written in steps that let status changes through.

Here: each object's values read as Ganga's writer would, without its per-value costs. The
subjobs' index entries kept: ``registry_index``; big jobs written in steps: ``big_job_writes``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import big_job_writes, registry_index, registry_xml

_INSTALLED = "_ganga_widgets_registry_writes"
# A class -> its transient values that Ganga computes through a getter when it reads them.
_COMPUTED: dict[type, tuple[str, ...]] = {}


def install(job_class: type) -> None:
    """Apply the guards once (idempotent)."""
    if job_class.__dict__.get(_INSTALLED):
        return
    computed = _transients_computed_as_ganga_would()
    _stream_values_as_held(computed)
    _mark_written_without_reading_transients(computed)
    registry_index.install()
    big_job_writes.install(job_class)
    setattr(job_class, _INSTALLED, True)


def _transients_computed_as_ganga_would() -> Callable[[Any], None]:
    """Ganga's reading of every value, transient ones included, when it writes an object or
    marks it clean, has one effect besides its cost: with its option
    ``autoGenerateJobWorkspace`` on, a job's ``inputdir`` and ``outputdir`` getters make the
    job's input/ and output/ directories (how a new job gets its workspace, at its first
    write). Off (Ganga's default), those getters only compute paths. The guards below skip
    the transient values, so this computes them, through their getters, when the option is
    on."""
    from GangaCore.Utility.Config import getConfig

    config = getConfig("Configuration")

    def compute(obj: Any) -> None:
        cls = type(obj)
        names = _COMPUTED.get(cls)
        if names is None:
            visits = registry_xml.visits(cls)
            names = _COMPUTED[cls] = tuple(name for _, name, _, getter, t in visits if t and getter)
        if names and config["autoGenerateJobWorkspace"]:
            for name in names:
                getattr(obj, name)

    return compute


def _stream_values_as_held(computed: Callable[[Any], None]) -> None:
    """Defect: writing a job to the registry (each subjob, at submission and every 30 s
    after a change) reads each value through Ganga's attribute access, which takes the
    job's lock again per value, computes the transient ones it does not write (a job's
    input and output directories: workspace look-ups), and prints each line through a
    chain of visitor calls: ~1 ms a subjob, holding the job. Guard: the writer, already
    holding the lock, reads each value as that access would (the object's data first),
    skips the values it would not write (``computed``: those whose reading does more), and
    writes the same text directly (``registry_xml``)."""
    from GangaCore.Core.GangaRepository.VStreamer import VStreamer
    from GangaCore.GPIDev.Base.Objects import GangaObject

    original_accept = GangaObject.accept

    def accept(self: Any, visitor: Any) -> Any:
        if type(visitor) is not VStreamer or self._schema is None:
            return original_accept(self, visitor)
        with self.const_lock:  # as Ganga's: the whole object at once
            registry_xml.Writer(visitor, accept, computed).node(self, visitor.level)
        return None

    GangaObject.accept = accept


def _mark_written_without_reading_transients(computed: Callable[[Any], None]) -> None:
    """Defect: marking a written object clean (``_setFlushed``, for every subjob written)
    reads each of its values through Ganga's attribute access, the job's lock again per
    value, and computes the transient ones it then skips (workspace look-ups again). Guard:
    those are skipped first (``computed``: those whose reading does more), and the others
    read as that access would (the object's data first); the same objects are marked
    clean."""
    from GangaCore.GPIDev.Base.Objects import GangaObject, Node

    original = GangaObject._setFlushed

    def _setFlushed(self: Any, auto_load_deps: bool = True) -> None:
        if not (self._schema and auto_load_deps):
            original(self, auto_load_deps)
            return
        computed(self)
        data = self._data_dict
        for _, name, _, getter, transient in registry_xml.visits(type(self)):
            if transient:  # Ganga's skips them too, once computed
                continue
            value = data[name] if not getter and name in data else getattr(self, name)
            if isinstance(value, Node) and value._dirty:
                value._setFlushed()
        Node._setFlushed(self)

    GangaObject._setFlushed = _setFlushed
