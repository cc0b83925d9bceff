"""What HTCondor's news makes Ganga do: the watcher's reactions.

The watcher (``condor.watcher``) reads event logs and knows nothing of Ganga; Ganga's own
Condor monitoring asks the schedd only every 30 s. This connects the two. It does not write
Ganga's job status behind its back, with one exception: it asks Ganga's monitoring to look at
exactly the jobs that changed (and keeps asking until Ganga agrees that a finished job is
finished), and a job removed outside Ganga (condor_rm) is marked killed.
"""

from __future__ import annotations

import time
from typing import Any

from ..condor.watcher import SETTLED, Watcher
from ..ganga_adapter import objects
from ..ganga_adapter.kills import mark_removed_job_killed
from ..vocabulary.protocols import GangaJob
from ..vocabulary.status import ACTIVE

CATCH_UP_FOR = 120.0  # seconds to keep asking Ganga to see a finished job as finished
# Events after which Ganga's own view of the job is out of date.
_GANGA_RELEVANT = frozenset(
    {"EXECUTE", "JOB_TERMINATED", "JOB_ABORTED", "JOB_HELD", "JOB_RELEASED", "JOB_EVICTED"}
)

Key = tuple[int, int | None]


class GangaFollowsCondor:
    """The watcher's ``GangaSide``: Ganga's jobs in, Ganga's monitoring asked out."""

    def __init__(self, watcher: Watcher) -> None:
        self._watcher = watcher
        self._catch_up: dict[Key, float] = {}  # finished by HTCondor, not yet by Ganga

    def active_jobs(self) -> list[Any]:
        return objects.active_jobs("Condor")

    def news(self, master: GangaJob, changed: dict[int | None, list[str]]) -> None:
        stale = []
        for index, kinds in changed.items():
            job = master if index is None else master.subjobs[index]
            if "JOB_ABORTED" in kinds:
                mark_removed_job_killed(job)
            facts = self._watcher.facts(master.id, index)
            if facts is not None and facts.status in SETTLED and job.status in ACTIVE:
                self._catch_up.setdefault((master.id, index), time.monotonic())
            if _GANGA_RELEVANT.intersection(kinds) and job.status in ACTIVE:
                stale.append(job)
        if stale:
            objects.update_from_backend(stale)

    def each_pass(self, master: GangaJob) -> None:
        """A finished job stays 'running' in Ganga until its query sees it out of the queue:
        ask again each pass, for a bounded time."""
        late = []
        now = time.monotonic()
        for key, since in list(self._catch_up.items()):
            if key[0] != master.id:
                continue
            job = master if key[1] is None else master.subjobs[key[1]]
            if job.status not in ACTIVE or now - since > CATCH_UP_FOR:
                del self._catch_up[key]
            elif now - since > 0.5:
                late.append(job)
        if late:
            objects.update_from_backend(late)


def connect(watcher: Watcher) -> None:
    """Have Ganga follow the watcher's news (once per watcher; cheap to call again)."""
    if not isinstance(watcher.ganga, GangaFollowsCondor):
        watcher.connect(GangaFollowsCondor(watcher))
