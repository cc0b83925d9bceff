"""What a dashboard view asks to see (filters, search, sort, page) and the page that answers.

Pure: a query is parsed from the view's message, and applied to rows (plain dicts).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..vocabulary.status import RANK

PAGE_SIZES = (10, 25, 50, 100)  # bounded: a page message stays well under 100 kB
SORT_KEYS = ("id", "name", "status", "application", "backend", "subjobs")
MAX_FILTER_VALUES = 50
MAX_SEARCH = 200


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
                q[name] = value[:MAX_FILTER_VALUES]
        if isinstance(message.get("text"), str):
            q["text"] = message["text"][:MAX_SEARCH]
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


def select(rows: dict[int, dict[str, Any]], query: Query) -> tuple[list[int], int]:
    """(ids on the requested page, how many rows match); the page is clamped to the last."""
    text = query.text.strip().lower()
    matching = [
        r
        for r in rows.values()
        if (not query.status or r["status"] in query.status)
        and (not query.backend or r["backend"] in query.backend)
        and (
            not text
            or text in r["name"].lower()
            or text in r["comment"].lower()
            or text == str(r["id"])
        )
    ]
    matching.sort(key=_sort_key(query.sort), reverse=query.descending)
    pages = max(1, -(-len(matching) // query.page_size))
    query.page = min(query.page, pages - 1)
    start = query.page * query.page_size
    return [r["id"] for r in matching[start : start + query.page_size]], len(matching)


def _sort_key(column: str) -> Any:
    if column == "status":
        return lambda r: (RANK.get(r["status"], 99), r["id"])
    if column in ("name", "application", "backend"):
        return lambda r: (r[column].lower(), r["id"])
    if column == "subjobs":
        return lambda r: (r["subjobs"], r["id"])
    return lambda r: r["id"]
