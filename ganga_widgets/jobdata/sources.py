"""Everything a ``JobModel`` reads besides the job itself, behind one seam.

The live sources are process-wide: HTCondor's watcher, the gangadir this session writes,
Ganga's refused writes, the submissions under way, Ganga's log lines, this session's standing
on a shared gangadir. A model takes them from a ``Sources`` given to it (``LIVE`` unless told
otherwise), so the whole projection can be run from plain records, without Ganga.
"""

from __future__ import annotations

from typing import Protocol

from ..condor.facts import Facts
from ..condor.watcher import watcher
from ..ganga_adapter import follow_owner, refused_writes, sharing, startup, submission_progress
from ..ganga_adapter.ganga_log import job_lines
from ..ganga_adapter.sharing import Sharing
from ..vocabulary.protocols import GangaJob
from ..vocabulary.status import BatchSaid


class BatchMonitor(Protocol):
    """What follows one batch system's jobs beyond Ganga's polls (HTCondor's watcher), as a
    view reads it. Another batch system arrives as another of these."""

    def follow(self, job: GangaJob) -> None:
        """A view shows ``job``: follow it closely until ``unfollow`` (counted per view)."""
        ...

    def unfollow(self, job: GangaJob) -> None: ...

    def read_now(self, job: GangaJob) -> None:
        """Catch up with what the batch system said of ``job`` (a view's first picture)."""
        ...

    def facts(self, master_id: int, index: int | None) -> Facts | None:
        """What it said of a job (``index`` None) or subjob; None: nothing yet."""
        ...

    def forget_if_resubmitted(self, master_id: int, index: int | None) -> bool:
        """Drop what it said of an attempt since replaced; whether it did."""
        ...

    def live_stderr(self, master_id: int, index: int | None) -> tuple[bytes, str] | None:
        """(the end of a running job's stderr, why not) if fetched; never waits."""
        ...

    def problem(self) -> str:
        """Why it cannot follow the jobs now ("" if it can)."""
        ...


class Sources(Protocol):
    def batch(self, backend: str) -> BatchMonitor | None:
        """What follows jobs of this Ganga backend beyond Ganga, if anything does."""
        ...

    def local_status(self, master_id: int, index: int | None) -> BatchSaid | None:
        """A Local job's own status file, read while another session owns the jobs."""
        ...

    def sharing(self) -> Sharing:
        """This session's standing on its gangadir (owner, or following another)."""
        ...

    def writes_generation(self) -> int:
        """Changes whenever ``writes_refused`` does."""
        ...

    def writes_refused(self) -> str | None:
        """What to say while the gangadir refuses Ganga's writes."""
        ...

    def submitting(self, master_id: int) -> dict | None:
        """How far a submission under way is (phase, done, total, text)."""
        ...

    def submit_failure(self, master_id: int) -> str | None:
        """Why the job's last submission in this process failed."""
        ...

    def ganga_log(self, master_id: int) -> list[str]:
        """Ganga's own messages about the job, newest last, bounded."""
        ...


class LiveSources:
    """The process's own sources (Ganga started, or about to be)."""

    def batch(self, backend: str) -> BatchMonitor | None:
        return watcher() if backend == "Condor" else None

    def local_status(self, master_id: int, index: int | None) -> BatchSaid | None:
        return follow_owner.follower().local_status(master_id, index)

    def sharing(self) -> Sharing:
        return sharing.current()

    def writes_generation(self) -> int:
        return refused_writes.generation()

    def writes_refused(self) -> str | None:
        current = startup.current()
        return refused_writes.problem(current.gangadir) if current is not None else None

    def submitting(self, master_id: int) -> dict | None:
        return submission_progress.progress(master_id)

    def submit_failure(self, master_id: int) -> str | None:
        return submission_progress.failure(master_id)

    def ganga_log(self, master_id: int) -> list[str]:
        return job_lines.lines(master_id)


LIVE = LiveSources()
