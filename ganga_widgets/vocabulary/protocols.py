"""The shape of the Ganga objects the package reads, for the type checker.

Ganga's classes are generated from schemas at run time, so no type checker can see their
attributes: this says which ones the package relies on (of a job's implementation object,
see ``objects.implementation``). Nothing here imports Ganga.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, Protocol

from .status import Status


class Workspace(Protocol):
    def getPath(self) -> str: ...


class JobTime(Protocol):
    timestamps: Mapping[str, datetime | None]


class JobInfo(Protocol):
    submit_counter: int


class Subjobs(Protocol):
    """A job's subjobs: a list, or Ganga's lazily loaded one (with ``getAllSJStatus``)."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: int) -> GangaJob: ...

    def __iter__(self) -> Iterator[GangaJob]: ...


class GangaJob(Protocol):
    """A Ganga job or subjob (``GangaCore.GPIDev.Lib.Job.Job``), as the package reads it."""

    id: int
    master: GangaJob | None  # None for a top-level job
    status: Status
    name: str
    comment: str
    subjobs: Subjobs
    backend: Any  # Local, Condor, ...: each with fields of its own
    application: Any
    time: JobTime
    info: JobInfo
    outputdir: str

    def getInputWorkspace(self) -> Workspace: ...

    def getOutputWorkspace(self, create: bool = True) -> Workspace: ...

    def getFQID(self, sep: str) -> str: ...

    def updateStatus(self, status: Status) -> None: ...


def fqid(job: GangaJob) -> str:
    """A job's id as Ganga prints it: ``3``, or ``3.17`` for a subjob."""
    master = job.master
    return f"{master.id}.{job.id}" if master is not None else str(job.id)
