"""Guards that bring Ganga 8.7.12's submission of a split job close to the batch system's cost.

They apply to every submission in this process (``j.submit()`` as much as ``submit()``),
only while a job is being submitted or resubmitted by the thread doing it; the job and the
files Ganga writes stay exactly what Ganga itself makes.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from . import submission_progress
from .clones import Unclonable, clone

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
    try:
        with submission_progress.tracking(job):
            yield
    finally:
        skipped = _submitting.masters.pop(key)
        if not _submitting.masters:
            _submitting.tarballs.clear()
            _submitting.monitoring.clear()
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
            submission_progress.advance(master, "submitting", len(master.subjobs))
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
        submission_progress.advance(job, "splitting")
        key = (id(job), tuple(additional_skip_args or ()))
        template = templates.get(key)
        if template is None:
            template = templates[key] = original_create(self, job, additional_skip_args)
        try:
            return clone(template)
        except Unclonable:  # e.g. a prepared application: Ganga counts its shares per copy
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
            except Unclonable:
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
