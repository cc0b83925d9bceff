"""The one status vocabulary: every status a view shows, its order, its code, its sets.

Python, the terminal and the browser all take it from here (the browser through the
widgets' ``vocabulary`` trait), so a status is ranked, coloured and counted alike in each.
Pure: nothing here reads a job.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol, get_args

# Every status a view shows of a job: Ganga's own, and HTCondor's more precise words for an
# active job (idle, held, suspended). mypy holds every use to these (strict equality: a
# comparison with a misspelt status is an error).
Status = Literal[
    "new",
    "submitting",
    "submitted",
    "idle",
    "held",
    "suspended",
    "running",
    "completing",
    "completed",
    "completed_frozen",
    "failed",
    "failed_frozen",
    "killed",
    "removed",
    "unknown",
]
# What the batch system says of a job in its own words ("": nothing yet): HTCondor's event
# log (condor.facts.Facts), a Local job's status file.
BatchStatus = Literal["", "idle", "running", "held", "suspended", "completed", "removed"]

# Every status in a job's life, then its endings: the order of counts, bars and sorting.
# One character each: the per-subjob grid of a 10,000-subjob job is a 10 kB string.
STATUS_CODES: dict[Status, str] = {
    "new": "n",
    "submitting": "u",
    "submitted": "s",
    "idle": "i",  # HTCondor: queued, waiting for a slot (Ganga says "submitted")
    "held": "h",  # HTCondor: held (Ganga says "submitted" or "running")
    "suspended": "p",
    "running": "r",
    "completing": "g",
    "completed": "c",
    "completed_frozen": "C",
    "failed": "f",
    "failed_frozen": "F",
    "killed": "k",
    "removed": "x",
    "unknown": "?",
}
assert set(STATUS_CODES) == set(get_args(Status)), "every status has its code"
STATUS_OF_CODE: dict[str, Status] = {code: status for status, code in STATUS_CODES.items()}
# A dashboard row of a job Ganga cannot read: ranked after every real status.
UNREADABLE: Literal["unreadable"] = "unreadable"
Shown = Status | Literal["unreadable"]  # what a dashboard row may show
ORDER: tuple[Shown, ...] = (*STATUS_CODES, UNREADABLE)
RANK: dict[str, int] = {status: i for i, status in enumerate(ORDER)}

Statuses = frozenset[Status]
# Ganga's statuses of a job that is in the batch system: it can be killed, and a split
# master is shown by what its subjobs do.
IN_BATCH: Statuses = frozenset({"submitted", "running"})
ACTIVE: Statuses = frozenset({"submitting", "submitted", "running", "completing"})
# What a view may show of an active job when the batch system says more than Ganga does.
SHOWN_ACTIVE: Statuses = ACTIVE | {"idle", "held", "suspended"}
FINAL: Statuses = frozenset(
    {"completed", "completed_frozen", "failed", "failed_frozen", "killed", "removed"}
)
FAILED: Statuses = frozenset({"failed", "failed_frozen"})
COMPLETED: Statuses = frozenset({"completed", "completed_frozen"})
QUEUED: Statuses = frozenset({"submitting", "submitted", "idle"})

# What the batch system's own word for a job (HTCondor's event log: condor.facts.Facts;
# a Local job's status file) is shown as, while Ganga still calls the job active.
_FROM_BATCH: dict[str, Status] = {
    "idle": "idle",
    "held": "held",
    "suspended": "suspended",
    "running": "running",
    "completed": "completing",
    "removed": "killed",
}


class BatchSaid(Protocol):
    """What the batch system said of a job (condor.facts.Facts, a Local job's status
    file): its own word for the status."""

    @property
    def status(self) -> BatchStatus: ...


_CODE_OF: dict[str, str] = {s: c for s, c in STATUS_CODES.items()}  # any text: "?" if none


def code_of(status: str) -> str:
    return _CODE_OF.get(status, "?")


def display_status(ganga_status: Status, batch: BatchSaid | None) -> Status:
    """Ganga's status, made precise by what the batch system said (None: nothing): an
    active job may be idle, held or suspended (Ganga says "submitted"), running, or already
    finished on the batch side while Ganga collects it ("completing"); a job removed there
    is shown killed at once."""
    if batch is None or ganga_status not in ACTIVE or ganga_status == "submitting":
        return ganga_status
    return _FROM_BATCH.get(batch.status, ganga_status)


def job_status(ganga_status: Status, counts: dict[str, int], shown_before: str = "") -> Status:
    """A split job's status as shown. Ganga ranks "submitted" above "running", so a job
    stays "submitted" until none of its subjobs is queued: show "running" as soon as one
    runs; if none does, say whether they are held or idle. A job shown running
    (``shown_before``) stays running while subjobs are still queued: between one subjob's
    end and the next one's start, the job as a whole has not gone back to the queue. When
    every subjob has ended but Ganga has not settled the master yet (HTCondor's event log
    is seconds ahead of its poll), "completing", not a "running" badge over a bar of ended
    subjobs."""
    if ganga_status not in IN_BATCH:
        return ganga_status
    if shown_before == "running" and any(counts.get(s) for s in QUEUED):
        return "running"
    shown: Status
    for shown in ("running", "held", "idle"):
        if counts.get(shown):
            return shown
    if counts and all(shown in FINAL or shown == "completing" for shown in counts):
        return "completing"
    return ganga_status


def vocabulary() -> dict[str, Any]:
    """The vocabulary as the browser views receive it (a trait of every widget)."""
    return {
        "order": list(ORDER),
        "codes": STATUS_CODES,
        "sets": {
            "active": sorted(ACTIVE, key=RANK.__getitem__),
            "shown_active": sorted(SHOWN_ACTIVE, key=RANK.__getitem__),
            "final": sorted(FINAL, key=RANK.__getitem__),
            "failed": sorted(FAILED, key=RANK.__getitem__),
            "completed": sorted(COMPLETED, key=RANK.__getitem__),
            "queued": sorted(QUEUED, key=RANK.__getitem__),
        },
    }
