"""Jobs as plain records, for tests of the job views without Ganga.

A view reads a Ganga job through the ``GangaJob`` protocol (ganga_widgets.vocabulary
.protocols); these records have exactly those attributes, and ``PlainSources`` stands for the
process-wide sources a ``JobModel`` reads besides the job (jobdata.sources). Nothing here is
a stand-in for a fault: they are the inputs of a pure function, written out.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from ganga_widgets.condor.facts import Facts
from ganga_widgets.ganga_adapter.sharing import Sharing


class Condor:
    """A Condor backend's fields, as the views read them (named as Ganga's class is)."""

    def __init__(self, id: int | None = None, actualCE: str = "") -> None:
        self.id = id
        self.actualCE = actualCE
        self.exitcode: int | None = None


class Local(Condor):
    pass


@dataclass
class Workspace:
    path: str

    def getPath(self) -> str:
        return self.path


@dataclass
class Times:
    timestamps: dict[str, datetime.datetime | None] = field(default_factory=dict)


@dataclass
class Info:
    submit_counter: int = 1


@dataclass
class PlainJob:
    id: int
    status: str = "submitted"
    backend: Any = field(default_factory=Condor)
    master: PlainJob | None = None
    subjobs: list[PlainJob] = field(default_factory=list)
    name: str = ""
    comment: str = ""
    application: Any = None
    time: Times = field(default_factory=Times)
    info: Info = field(default_factory=Info)
    workspace: str = ""  # "" : no output directory (nothing on disk to read)

    @property
    def outputdir(self) -> str:
        return self.workspace

    def getInputWorkspace(self) -> Workspace:
        return Workspace(self.workspace)

    def getOutputWorkspace(self, create: bool = True) -> Workspace:
        return Workspace(self.workspace)

    def getFQID(self, sep: str) -> str:
        return f"{self.master.id}{sep}{self.id}" if self.master is not None else str(self.id)

    def updateStatus(self, status: str) -> None:
        self.status = status


def split_job(job_id: int, statuses: list[str], backend: Any = None) -> PlainJob:
    """A master with one subjob per status (its own status as Ganga would have it)."""
    master = PlainJob(job_id, backend=backend or Condor())
    master.subjobs = [
        PlainJob(i, status, backend=type(master.backend)(), master=master)
        for i, status in enumerate(statuses)
    ]
    master.status = "running" if "running" in statuses else statuses[0] if statuses else "new"
    return master


class PlainMonitor:
    """What HTCondor said, as a dict: (master id, subjob index) -> Facts."""

    def __init__(self, facts: dict[tuple[int, int | None], Facts] | None = None) -> None:
        self.said = facts or {}
        self.problem_text = ""

    def follow(self, job: Any) -> None:
        pass

    def unfollow(self, job: Any) -> None:
        pass

    def read_now(self, job: Any) -> None:
        pass

    def facts(self, master_id: int, index: int | None) -> Facts | None:
        return self.said.get((master_id, index))

    def forget_if_resubmitted(self, master_id: int, index: int | None) -> bool:
        return False

    def live_stderr(self, master_id: int, index: int | None) -> tuple[bytes, str] | None:
        return None

    def problem(self) -> str:
        return self.problem_text


@dataclass
class PlainSources:
    monitor: PlainMonitor = field(default_factory=PlainMonitor)
    refused: str | None = None
    progress: dict[int, dict] = field(default_factory=dict)
    failures: dict[int, str] = field(default_factory=dict)
    log_lines: dict[int, list[str]] = field(default_factory=dict)

    def batch(self, backend: str) -> PlainMonitor | None:
        return self.monitor if backend == "Condor" else None

    def local_status(self, master_id: int, index: int | None) -> Any:
        return None

    def sharing(self) -> Sharing:
        return Sharing(None, False)

    def writes_generation(self) -> int:
        return 0 if self.refused is None else 1

    def writes_refused(self) -> str | None:
        return self.refused

    def submitting(self, master_id: int) -> dict | None:
        return self.progress.get(master_id)

    def submit_failure(self, master_id: int) -> str | None:
        return self.failures.get(master_id)

    def ganga_log(self, master_id: int) -> list[str]:
        return self.log_lines.get(master_id, [])


def cgroup_hold(used: int, limit: int = 100, slot: str = "slot1_1@node7.cern.ch") -> Facts:
    """A memory hold as HTCondor's starter words it (code 34, JobOutOfResources)."""
    reason = (f"Error from {slot}: Job has gone over cgroup memory limit of {limit} megabytes. "
              f"Last measured usage: {used} megabytes.  Consider resubmitting with a higher "
              "request_memory.")  # fmt: skip
    return Facts(status="held", hold_reason=reason, hold_code=34, hold_subcode=0,
                 memory_request_mb=limit, submitted=1.0)  # fmt: skip
