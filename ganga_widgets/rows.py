"""The jobs registry as rows of a dashboard: one plain dict per job, and the query over them.

A row is read from Ganga's index (status, name, subjob statuses...) for a job Ganga has not
loaded, so 5,000 jobs are listed without reading 5,000 job files; only the jobs on the page
a user looks at are read whole (for their times). Filtering, sorting and paging are pure.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from . import logs, session, state

PAGE_SIZES = (10, 25, 50, 100)  # bounded: a page message stays well under 100 kB
SORT_KEYS = ("id", "name", "status", "application", "backend", "subjobs")
# Status order for sorting: a job's life, then its endings (state lists them in that order).
_STATUS_RANK = {s: i for i, s in enumerate([*state.STATUS_CODES, "unreadable"])}
QUEUED = ("submitting", "submitted", "idle")


@dataclass
class Query:
    """What the view asks to see."""

    status: list[str] = field(default_factory=list)  # empty: all
    backend: list[str] = field(default_factory=list)
    text: str = ""  # in name, comment or id
    sort: str = "id"
    descending: bool = True  # newest first
    page: int = 0
    page_size: int = 25

    @classmethod
    def from_message(cls, message: dict[str, Any], current: Query) -> Query:
        """A query from the view's message; anything malformed keeps the current value."""
        q = asdict(current)
        for name in ("status", "backend"):
            value = message.get(name)
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                q[name] = value[:50]
        if isinstance(message.get("text"), str):
            q["text"] = message["text"][:200]
        if message.get("sort") in SORT_KEYS:
            q["sort"] = message["sort"]
        if isinstance(message.get("descending"), bool):
            q["descending"] = message["descending"]
        if message.get("page_size") in PAGE_SIZES:
            q["page_size"] = message["page_size"]
        page = message.get("page")
        if isinstance(page, int) and not isinstance(page, bool) and page >= 0:
            q["page"] = page
        return cls(**q)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def row(job: Any, details: bool) -> dict[str, Any]:
    """One job as a dashboard row. ``details``: read the job whole (its times) -- only for
    the rows a user sees. A job Ganga cannot read becomes an "unreadable" row."""
    try:
        entry = None if details else session.index_entry(job)
        if entry is not None:
            return _from_index(job.id, entry)
        return _from_job(job)
    except Exception as err:  # a corrupt repository entry, say
        return unreadable(getattr(job, "id", -1), err)


def _from_job(job: Any) -> dict[str, Any]:
    counts = Counter(state.subjob_statuses(job))
    return {
        "id": job.id,
        "name": logs.clean_line(str(job.name or ""), state.MAX_TEXT),
        "comment": logs.clean_line(str(job.comment or ""), state.MAX_TEXT),
        "status": state.job_status(str(job.status), counts),
        "application": type(job.application).__name__ if job.application else "",
        "backend": state.backend_name(job),
        "subjobs": sum(counts.values()),
        "counts": dict(counts),
        "times": state.times(job),
        "error": None,
    }


def _from_index(job_id: int, entry: dict[str, Any]) -> dict[str, Any]:
    counts = Counter(entry.get("subjobs:status") or [])
    backend = str(entry.get("display:backend") or "")
    return {
        "id": job_id,
        "name": logs.clean_line(str(entry.get("name") or ""), state.MAX_TEXT),
        "comment": logs.clean_line(str(entry.get("comment") or ""), state.MAX_TEXT),
        "status": state.job_status(str(entry.get("status") or "unknown"), counts),
        "application": str(entry.get("display:application") or ""),
        "backend": session.backend_name_of_class(backend) if backend else "",
        "subjobs": sum(counts.values()),
        "counts": dict(counts),
        "times": None,  # not in the index: read when the row is on the page
        "error": None,
    }


def unreadable(job_id: int, err: BaseException | str) -> dict[str, Any]:
    reason = err if isinstance(err, str) else f"{type(err).__name__}: {err}"
    return {
        "id": job_id, "name": "", "comment": "", "status": "unreadable", "application": "",
        "backend": "", "subjobs": 0, "counts": {}, "times": None,
        "error": "Ganga cannot read this job: " + logs.clean_line(reason, 500),
    }  # fmt: skip


def select(rows: dict[int, dict[str, Any]], query: Query) -> tuple[list[int], int]:
    """(ids on the requested page, how many rows match); the page is clamped to the last."""
    text = query.text.strip().lower()
    matching = [
        r for r in rows.values()
        if (not query.status or r["status"] in query.status)
        and (not query.backend or r["backend"] in query.backend)
        and (not text or text in r["name"].lower() or text in r["comment"].lower()
             or text == str(r["id"]))
    ]  # fmt: skip
    matching.sort(key=_sort_key(query.sort), reverse=query.descending)
    pages = max(1, -(-len(matching) // query.page_size))
    query.page = min(query.page, pages - 1)
    start = query.page * query.page_size
    return [r["id"] for r in matching[start : start + query.page_size]], len(matching)


def _sort_key(column: str) -> Any:
    if column == "status":
        return lambda r: (_STATUS_RANK.get(r["status"], 99), r["id"])
    if column in ("name", "application", "backend"):
        return lambda r: (r[column].lower(), r["id"])
    if column == "subjobs":
        return lambda r: (r["subjobs"], r["id"])
    return lambda r: r["id"]


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
    ranked = sorted(counter.items(), key=lambda kv: (-kv[1], -_STATUS_RANK.get(kv[0], -1), kv[0]))
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
