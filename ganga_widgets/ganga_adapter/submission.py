"""Guards that bring Ganga 8.7.12's submission of a split job close to the batch system's cost.

They apply to every submission in this process (``j.submit()`` as much as ``submit()``),
only while a job is being submitted or resubmitted by the thread doing it; the job and the
files Ganga writes stay exactly what Ganga itself makes.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_INSTALLED = "_ganga_widgets_fast_submit"


class _Submitting(threading.local):
    def __init__(self) -> None:
        self.masters: dict[int, bool] = {}  # id(master) -> its status update was skipped
        self.templates: dict[tuple[int, tuple[str, ...]], Any] | None = None


_submitting = _Submitting()


def install(job_class: type) -> None:
    """Apply the guards once (idempotent)."""
    if job_class.__dict__.get(_INSTALLED):
        return
    _one_master_update_per_submit(job_class)
    _clone_subjobs_from_one_template()
    setattr(job_class, _INSTALLED, True)


@contextmanager
def _submitting_master(job: Any) -> Iterator[None]:
    key = id(job)
    if key in _submitting.masters:  # nested (resubmit calls submit): the outer one settles
        yield
        return
    _submitting.masters[key] = False
    try:
        yield
    finally:
        skipped = _submitting.masters.pop(key)
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
    Ganga's way and the others are copies of it, value by value (~1 ms); the splitter's own
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


class _Unclonable(Exception):
    """A value that Ganga's own copy treats specially (shared directories)."""


_PLAIN = (str, int, float, bool, type(None))


def clone(value: Any) -> Any:
    """A copy of a Ganga object as its ``__deepcopy__`` makes it, for a subjob template:
    every schema value copied (the template already holds the defaults of values not
    copyable), parents set, the registry kept, nothing else carried over."""
    from GangaCore.GPIDev.Base.Objects import GangaObject

    if isinstance(value, _PLAIN):
        return value
    if not isinstance(value, GangaObject):
        return copy.deepcopy(value)
    new = type(value).getNew()
    data = {}
    for name, shared in _items(type(value)):
        item = value._data_dict.get(name)
        if shared and item not in (None, True, False):
            raise _Unclonable(name)
        data[name] = clone(item)
    new._data = data  # Ganga's setter: sets each component's parent
    new._registry = value._registry
    return new


_ITEMS: dict[type, list[tuple[str, bool]]] = {}


def _items(cls: type) -> list[tuple[str, bool]]:
    """(name, is a shared item) for each schema item of a Ganga class, read once."""
    items = _ITEMS.get(cls)
    if items is None:
        from GangaCore.GPIDev.Schema import SharedItem

        schema: Any = getattr(cls, "_schema")  # noqa: B009
        items = _ITEMS[cls] = [(n, i.isA(SharedItem)) for n, i in schema.allItems()]
    return items
