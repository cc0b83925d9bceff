"""The jobs registry as rows of a dashboard: one plain dict per job, and their tallies.

A row is read from Ganga's index (status, name, subjob statuses...) for a job Ganga has not
loaded, so 5,000 jobs are listed without reading 5,000 job files; only the jobs on the page
a user looks at are read whole (for their times). Filtering, sorting and paging: ``query``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..ganga_adapter import objects, sharing
from ..vocabulary import logs
from ..vocabulary.protocols import GangaJob
from ..vocabulary.status import FAILED, IN_BATCH, QUEUED, RANK, UNREADABLE, job_status
from . import read


def row(job: GangaJob, details: bool, shown_before: str = "") -> dict[str, Any]:
    """One job as a dashboard row. ``details``: read the job whole (its times) -- only for
    the rows a user sees. ``shown_before``: the status its row showed (a running job does
    not go back to "submitted" between one subjob and the next). A job Ganga cannot read
    becomes an "unreadable" row."""
    try:
        entry = None if details else objects.index_entry(job)
        found = _from_index(job.id, entry) if entry is not None else _from_job(job)
        found["status"] = job_status(found["status"], found["counts"], shown_before)
    except Exception as err:  # a corrupt repository entry, say
        return unreadable(getattr(job, "id", -1), err)
    return {**found, "actions": row_actions(found["status"], found["counts"])}


_KILLABLE_SHOWN = IN_BATCH | {"idle", "held"}  # a queued or held job is in the batch system


def row_actions(status: str, counts: dict[str, int]) -> list[str]:
    """The row's buttons that make sense now (the view greys out the others): open and
    remove always; kill while in the batch system (the status shown: queued or held is
    still there); resubmit with failed subjobs. Only open where the gangadir is followed
    read-only."""
    if sharing.read_only():
        return ["open"]
    kill = status in _KILLABLE_SHOWN
    resubmit = status in FAILED or any(counts.get(s) for s in FAILED)
    return ["open", *(["kill"] if kill else []), *(["resubmit"] if resubmit else []), "remove"]


def _from_job(job: GangaJob) -> dict[str, Any]:
    counts = Counter(objects.subjob_statuses(job))
    found = read.identity(job)
    return {
        **found,
        "subjobs": sum(counts.values()),
        "counts": dict(counts),
        "error": None,
    }


def _from_index(job_id: int, entry: dict[str, Any]) -> dict[str, Any]:
    counts = Counter(entry.get("subjobs:status") or [])
    backend = str(entry.get("display:backend") or "")
    return {
        "id": job_id,
        "name": logs.clean_line(str(entry.get("name") or ""), read.MAX_TEXT),
        "comment": logs.clean_line(str(entry.get("comment") or ""), read.MAX_TEXT),
        "status": str(entry.get("status") or "unknown"),
        "application": str(entry.get("display:application") or ""),
        "backend": objects.backend_name_of_class(backend) if backend else "",
        "subjobs": sum(counts.values()),
        "counts": dict(counts),
        "times": None,  # not in the index: read when the row is on the page
        "error": None,
    }


def unreadable(job_id: int, err: BaseException | str) -> dict[str, Any]:
    reason = err if isinstance(err, str) else f"{type(err).__name__}: {err}"
    return {
        "id": job_id,
        "name": "",
        "comment": "",
        "status": UNREADABLE,
        "application": "",
        "backend": "",
        "subjobs": 0,
        "counts": {},
        "times": None,
        "error": "Ganga cannot read this job: " + logs.clean_line(reason, 500),
        "actions": [],
    }


class Tally:
    """Jobs by status and by backend, and subjobs by status, over a set of rows."""

    def __init__(self, rows: Any = ()) -> None:
        self.jobs = 0
        self.status: Counter = Counter()
        self.backend: Counter = Counter()
        self.subjobs: Counter = Counter()
        for r in rows:
            self.add(r)

    def add(self, r: dict[str, Any], sign: int = 1) -> None:
        self.jobs += sign
        self.status[r["status"]] += sign
        if r["backend"]:
            self.backend[r["backend"]] += sign
        for status, n in r["counts"].items():
            self.subjobs[status] += sign * n

    def remove(self, r: dict[str, Any]) -> None:
        self.add(r, -1)


class RowSet(dict):
    """Every job's row by id, with their ``Tally`` kept up to date row by row, so that an
    update of a few jobs costs O(those jobs), not O(registry). Change it only with
    ``rows[id] = row`` and ``pop(id)``."""

    def __init__(self, rows: dict[int, dict[str, Any]] | None = None) -> None:
        super().__init__(rows or {})
        self.tally = Tally(self.values())

    def __setitem__(self, job_id: int, row: dict[str, Any]) -> None:
        old = self.get(job_id)
        if old is not None:
            self.tally.remove(old)
        self.tally.add(row)
        super().__setitem__(job_id, row)

    def pop(self, job_id: int, *default: Any) -> Any:
        if job_id not in self:
            return super().pop(job_id, *default)
        row = super().pop(job_id)
        self.tally.remove(row)
        return row


def _tally(rows: dict[int, dict[str, Any]]) -> Tally:
    return rows.tally if isinstance(rows, RowSet) else Tally(rows.values())


def _most_common(counter: Counter) -> dict[str, int]:
    """Most first; a tie goes to the status furthest along a job's life, then by name (the
    same order whatever order the rows came in)."""
    ranked = sorted(counter.items(), key=lambda kv: (-kv[1], -RANK.get(kv[0], -1), kv[0]))
    return {k: n for k, n in ranked if n}


def facets(rows: dict[int, dict[str, Any]]) -> dict[str, dict[str, int]]:
    """The values a user can filter on, with how many jobs have each."""
    tally = _tally(rows)
    return {"status": _most_common(tally.status), "backend": _most_common(tally.backend)}


def totals(rows: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """The summary line: jobs by status, subjobs running and queued across all jobs."""
    tally = _tally(rows)
    return {
        "jobs": tally.jobs,
        "by_status": _most_common(tally.status),
        "subjobs_running": tally.subjobs["running"],
        "subjobs_queued": sum(tally.subjobs[s] for s in QUEUED),
    }
