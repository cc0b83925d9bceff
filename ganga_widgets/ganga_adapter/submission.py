"""Guards that bring Ganga 8.7.12's submission of a split job close to the batch system's cost.

They apply to every submission in this process (``j.submit()`` as much as ``submit()``),
only while a job is being submitted or resubmitted by the thread doing it; the job and the
files Ganga writes stay exactly what Ganga itself makes.
"""

from __future__ import annotations

import copy
import datetime
import functools
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..dispatcher import dispatcher

_INSTALLED = "_ganga_widgets_fast_submit"


class _Submitting(threading.local):
    def __init__(self) -> None:
        self.masters: dict[int, bool] = {}  # id(master) -> its status update was skipped
        self.templates: dict[tuple[int, tuple[str, ...]], Any] | None = None
        # what each sandbox tarball made in this submission holds -> its path
        self.tarballs: dict[tuple[Any, ...], str] = {}
        # (application class, backend class) -> the monitoring services configured for them
        self.monitoring: dict[tuple[type, type], str] = {}


_submitting = _Submitting()

# master id -> [phase, done, total] while it is being submitted, by any thread: its views
# show "splitting 340 of 1,000" then "submitting 340 of 1,000" instead of a frozen job.
_progress: dict[int, list[Any]] = {}


def progress(master_id: int) -> dict[str, Any] | None:
    """How far the submission of job ``master_id`` is, or None when none is under way:
    ``phase`` ("splitting": subjobs made; "submitting": subjobs submitted), ``done`` and
    ``total`` (None while unknown), and ``text`` to show."""
    found = _progress.get(master_id)
    if found is None:
        return None
    phase, done, total = found
    of = f" of {total:,}" if total is not None else ""
    if phase == "splitting":
        text = f"splitting: {done:,}{of} subjobs made"
    else:
        text = f"submitting {done:,}{of}"
    return {"phase": phase, "done": done, "total": total, "text": text}


# master id -> why its last submission failed (the job may be gone: its view says why)
_failed: dict[int, str] = {}
FAILURES_KEPT = 100


def failure(master_id: int) -> str | None:
    """Why the last submission of job ``master_id`` in this process failed, if it did."""
    return _failed.get(master_id)


def advance(master: Any, phase: str, total: int | None = None) -> None:
    """One more subjob of ``master`` made (``phase`` "splitting") or "submitting"."""
    entry = _progress.get(master.id)
    if entry is None:
        return
    if entry[0] != phase:
        entry[:] = [phase, 0, total]
    entry[1] += 1
    dispatcher().notify(master.id, None, None)


def _expected_subjobs(splitter: Any) -> int | None:
    """How many subjobs a splitter will make, where its settings say so."""
    for name in ("args", "values"):  # ArgSplitter, GenericSplitter
        value: Any = getattr(splitter, name, None)
        if isinstance(value, list | tuple) or type(value).__name__ == "GangaList":
            return len(value)
    return None


def install(job_class: type) -> None:
    """Apply the guards once (idempotent)."""
    if job_class.__dict__.get(_INSTALLED):
        return
    _one_master_update_per_submit(job_class)
    _clone_subjobs_from_one_template()
    _no_monitoring_object_per_change(job_class)
    _one_sandbox_tarball_per_submission()
    setattr(job_class, _INSTALLED, True)


@contextmanager
def _submitting_master(job: Any) -> Iterator[None]:
    key = id(job)
    if key in _submitting.masters:  # nested (resubmit calls submit): the outer one settles
        yield
        return
    _submitting.masters[key] = False
    _progress[job.id] = ["splitting", 0, _expected_subjobs(job.splitter)]
    _failed.pop(job.id, None)
    try:
        yield
    except BaseException as error:
        text, kind = str(error), type(error).__name__
        _failed[job.id] = text if text.startswith(kind) else f"{kind}: {text}"
        while len(_failed) > FAILURES_KEPT:
            del _failed[next(iter(_failed))]
        raise
    finally:
        skipped = _submitting.masters.pop(key)
        if not _submitting.masters:
            _submitting.tarballs.clear()
            _submitting.monitoring.clear()
        _progress.pop(job.id, None)
        dispatcher().notify(job.id, None, None)
    if skipped and job.subjobs:
        job.updateMasterJobStatus()


def _one_master_update_per_submit(job_class: Any) -> None:
    """Defect: each subjob's status change makes the master recompute its status from every
    subjob (``updateMasterJobStatus``): O(n²), about half of a 1,000-subjob submission, with
    the master flipping submitting/submitted per subjob. Guard: while this thread submits a
    master, its recomputation waits and runs once at the end."""
    original_update = job_class.updateMasterJobStatus

    def updateMasterJobStatus(self: Any) -> Any:
        key = id(self)
        if key in _submitting.masters:
            _submitting.masters[key] = True
            return None
        return original_update(self)

    job_class.updateMasterJobStatus = updateMasterJobStatus
    original_status_update = job_class.updateStatus

    def updateStatus(self: Any, newstatus: str, *args: Any, **kwargs: Any) -> Any:
        result = original_status_update(self, newstatus, *args, **kwargs)
        master = self.master
        if newstatus == "submitted" and master is not None and id(master) in _submitting.masters:
            advance(master, "submitting", len(master.subjobs))
        return result

    job_class.updateStatus = updateStatus
    for name in ("submit", "resubmit"):
        original = getattr(job_class, name)

        def guarded(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            if self.master is not None:  # a subjob alone: nothing quadratic
                return _original(self, *args, **kwargs)
            with _submitting_master(self):
                return _original(self, *args, **kwargs)

        setattr(job_class, name, guarded)


def _clone_subjobs_from_one_template() -> None:
    """Defect: a splitter builds every subjob as ``Job()`` (every schema default made anew)
    plus ``copyFrom(master)`` (each value deep-copied twice: ``deepcopy``, then again on
    assignment): ~4.5 ms a subjob. Guard: within one split, the first subjob is built
    Ganga's way and the others are copies of it, slot by slot (~0.7 ms); the splitter's own
    copies (e.g. of the application, per argument) are made the same way."""
    from GangaCore.GPIDev.Adapters.ISplitter import ISplitter
    from GangaCore.GPIDev.Base.Objects import GangaObject

    original_deepcopy = GangaObject.__deepcopy__
    original_create = ISplitter.createSubjob
    original_split = ISplitter.validatedSplit

    def createSubjob(self: Any, job: Any, additional_skip_args: Any = None) -> Any:
        templates = _submitting.templates
        if templates is None:
            return original_create(self, job, additional_skip_args)
        advance(job, "splitting")
        key = (id(job), tuple(additional_skip_args or ()))
        template = templates.get(key)
        if template is None:
            template = templates[key] = original_create(self, job, additional_skip_args)
        try:
            return clone(template)
        except _Unclonable:  # e.g. a prepared application: Ganga counts its shares per copy
            return original_create(self, job, additional_skip_args)

    def validatedSplit(self: Any, job: Any) -> Any:
        if _submitting.templates is not None:
            return original_split(self, job)
        _submitting.templates = {}
        try:
            return original_split(self, job)
        finally:
            _submitting.templates = None

    def __deepcopy__(self: Any, memo: Any = None) -> Any:
        if _submitting.templates is not None:  # within a split: the splitter's own copies
            try:
                new = clone(self)
            except _Unclonable:
                pass
            else:
                parent = self._getParent()
                if parent is not None:  # as Ganga's copy: same parent until assigned
                    new._setParent(parent)
                return new
        return original_deepcopy(self, memo)

    ISplitter.createSubjob = createSubjob
    ISplitter.validatedSplit = validatedSplit
    GangaObject.__deepcopy__ = __deepcopy__


def _no_monitoring_object_per_change(job_class: Any) -> None:
    """Defect: each status change of a job builds its monitoring services anew from the
    configuration (~0.16 ms; two per subjob at submission), even when the configuration
    names none, Ganga's default. Guard: then every job shares one empty set of services;
    within a submission, the configuration is read once per kind of job."""
    from GangaCore.GPIDev.MonitoringServices import findMonitoringClassesName
    from GangaCore.GPIDev.MonitoringServices.Composite import CompositeMonitoringService

    original = job_class.getMonitoringService
    nothing = CompositeMonitoringService([], [], [])

    def getMonitoringService(self: Any) -> Any:
        if _submitting.masters:
            kind = (type(self.application), type(self.backend))
            names = _submitting.monitoring.get(kind)
            if names is None:
                names = _submitting.monitoring[kind] = findMonitoringClassesName(self)
        else:
            names = findMonitoringClassesName(self)
        if not names.strip(" ,"):
            return nothing
        return original(self)

    job_class.getMonitoringService = getMonitoringService


class _Unclonable(Exception):
    """A value that Ganga's own copy treats specially (shared directories)."""


def _one_sandbox_tarball_per_submission() -> None:
    """Defect: the Local backend packs a tarball of the same files (Ganga's own ``files.py``,
    the job's input files) for every subjob: ~2 ms a subjob, most of its preparation.
    Guard: within one submission a tarball of files unchanged since (same path, size,
    modification time; the same text for a file made in memory) is copied from the first."""
    import GangaCore.Core.Sandbox as package  # what Job.createPackedInputSandbox calls
    from GangaCore.Core.Sandbox import Sandbox

    original = Sandbox.createPackedInputSandbox

    def createPackedInputSandbox(sandbox_files: Any, inws: Any, name: str) -> list[str]:
        key = _sandbox_key(sandbox_files) if _submitting.masters else None
        made = _submitting.tarballs.get(key) if key is not None else None
        target = inws.getPath(name)
        if made is not None and made != target and os.path.isfile(made):
            shutil.copyfile(made, target)
            return [target]
        result: list[str] = original(sandbox_files, inws, name)
        if key is not None and result == [target]:
            _submitting.tarballs[key] = target
        return result

    Sandbox.createPackedInputSandbox = createPackedInputSandbox
    package.createPackedInputSandbox = createPackedInputSandbox


def _sandbox_key(files: Any) -> tuple[Any, ...] | None:
    """What a sandbox tarball of ``files`` holds, as a key; None if that cannot be told."""
    from GangaCore.GPIDev.Lib.File.File import File
    from GangaCore.GPIDev.Lib.File.FileBuffer import FileBuffer

    key: list[Any] = []
    for f in files:
        if type(f) is FileBuffer:
            contents = f.getContents()
            key.append(("buffer", f.name, f.subdir, f.isExecutable(), contents))
        elif type(f) is File:
            try:
                found = os.stat(f.name)
            except OSError:
                return None  # Ganga's own packing says what is wrong
            stamp = (found.st_ino, found.st_size, found.st_mtime_ns)
            key.append(("file", f.name, f.subdir, f.isExecutable(), stamp))
        else:
            return None
    return tuple(key)


# Values a copy may share: nothing in them can change.
_IMMUTABLE = frozenset({str, int, float, bool, type(None), datetime.datetime})


def clone(value: Any) -> Any:
    """A copy of a Ganga object as its ``__deepcopy__`` makes it, for a subjob template:
    every schema value copied (the template already holds the defaults of values not
    copyable), parents set, the registry kept. The copy is new, seen by no other thread:
    it is built slot by slot, without the locks every attribute access takes. What each
    class is, is looked up once: ``isinstance`` against Ganga's abstract classes is slow."""
    kind = _kind(type(value))
    if kind is _VALUE:
        return _copied(value)
    if kind is not _OBJECT and kind is not _LIST:
        return value  # immutable
    cls: Any = type(value)
    new = cls.__new__(cls, (), {})  # as Ganga's getNew, without its __init__ chain: the
    new._parent = None  # state that chain makes is the template's own, copied below
    new._lock = threading.RLock()
    new._dirty = False
    new._index_cache_dict = {}
    new._registry = value._registry
    not_copied = _not_copied()
    for key, extra in value.__dict__.items():  # e.g. a Job's cached runtime handler (None)
        if key not in not_copied:  # as Ganga's copy: not its tree, registry or lock
            new.__dict__[key] = _plain_copy(extra)
    data = {}
    for name, shared in _items(cls):
        item = value._data_dict.get(name)
        item_kind = _kind(type(item))
        if item_kind is _IMMUTABLE_KIND:
            data[name] = item
            continue
        if shared:
            raise _Unclonable(name)
        data[name] = item = clone(item)
        if item_kind is _OBJECT or item_kind is _LIST:
            item._parent = new
            if item_kind is _LIST:  # as its _setParent: its elements' parent too
                for element in item._data_dict["_list"]:  # not through its lock
                    if _kind(type(element)) in (_OBJECT, _LIST):
                        element._parent = new
    new._data_dict = data
    return new


_IMMUTABLE_KIND, _VALUE, _OBJECT, _LIST = "immutable", "value", "object", "list"
_KINDS: dict[type, str] = {}


def _kind(cls: type) -> str:
    """What clone() does with a value of this class: share it, copy it as a plain value,
    or copy it as a Ganga object (a GangaList: its elements get the parent too)."""
    found = _KINDS.get(cls)
    if found is None:
        from GangaCore.GPIDev.Base.Objects import GangaObject
        from GangaCore.GPIDev.Lib.GangaList.GangaList import GangaList

        if cls in _IMMUTABLE:
            found = _IMMUTABLE_KIND
        elif issubclass(cls, GangaList):
            found = _LIST
        elif issubclass(cls, GangaObject):
            found = _OBJECT
        else:
            found = _VALUE
        _KINDS[cls] = found
    return found


@functools.cache
def _not_copied() -> frozenset[str]:
    from GangaCore.GPIDev.Base.Objects import do_not_copy

    return frozenset(do_not_copy)


def _copied(value: Any) -> Any:
    """A deep copy of a value that is not a Ganga object: a list or dict of immutable
    values copied at once (e.g. a job's timestamps), anything else by ``deepcopy``."""
    if type(value) is dict and all(type(v) in _IMMUTABLE for v in value.values()):
        return dict(value)  # keys of a dict are immutable already
    if type(value) is list and all(type(v) in _IMMUTABLE for v in value):
        return list(value)
    return copy.deepcopy(value)


def _plain_copy(value: Any) -> Any:
    """A copy of a plain value, or of a list or dict of them; anything else is refused
    (Ganga's own copy deals with it: it may point back into the job)."""
    if type(value) in _IMMUTABLE:
        return value
    if type(value) in (list, dict) and all(
        type(x) in _IMMUTABLE for x in (value.values() if isinstance(value, dict) else value)
    ):
        return copy.copy(value)
    raise _Unclonable(type(value).__name__)


_ITEMS: dict[type, list[tuple[str, bool]]] = {}


def _items(cls: type) -> list[tuple[str, bool]]:
    """(name, is a shared item) for each schema item of a Ganga class, read once."""
    items = _ITEMS.get(cls)
    if items is None:
        from GangaCore.GPIDev.Schema import SharedItem

        schema: Any = getattr(cls, "_schema")  # noqa: B009
        items = _ITEMS[cls] = [(n, i.isA(SharedItem)) for n, i in schema.allItems()]
    return items
