"""The dashboard's query: parsed from the view's message, applied to rows."""

from __future__ import annotations

from typing import Any

import pytest

from ganga_widgets.jobdata.query import MAX_SEARCH, PAGE_SIZES, Query, select

pytestmark = pytest.mark.pure


def row(i: int, status: str = "completed", name: str = "", backend: str = "Local") -> dict:
    return {"id": i, "name": name, "comment": "", "status": status, "backend": backend,
            "application": "Executable", "subjobs": i % 3}  # fmt: skip


@pytest.mark.parametrize(
    "message",
    [
        {"status": "running"},  # not a list
        {"status": [1, 2]},
        {"sort": "owner"},
        {"descending": "yes"},
        {"page_size": 7},
        {"page": -1},
        {"page": True},
        {"text": 42},
    ],
)
def test_anything_malformed_keeps_the_current_value(message: dict[str, Any]) -> None:
    current = Query(status=["failed"], sort="name", descending=False, page=2, page_size=50)
    assert Query.from_message(message, current) == current


def test_a_message_is_bounded_and_applied() -> None:
    current = Query()
    q = Query.from_message(
        {"status": ["failed"] * 500, "text": "x" * 10_000, "sort": "subjobs", "page_size": 10,
         "page": 3, "descending": False, "type": "query"},
        current,
    )  # fmt: skip
    assert len(q.status) == 50 and len(q.text) == MAX_SEARCH
    assert (q.sort, q.page_size, q.page, q.descending) == ("subjobs", 10, 3, False)
    assert current == Query(), "the current query is left as it was"
    assert 10 in PAGE_SIZES


def test_filters_search_sort_and_a_page_past_the_end() -> None:
    rows = {i: row(i, "failed" if i % 4 == 0 else "completed", f"run-{i}") for i in range(1, 41)}
    rows[7]["backend"] = "Condor"
    page, total = select(rows, Query(status=["failed"], page=9, page_size=10))
    assert total == 10 and page == [4, 8, 12, 16, 20, 24, 28, 32, 36, 40][::-1][:10]
    page, total = select(rows, Query(text="RUN-1", sort="id", descending=False, page_size=10))
    assert total == 11 and page[:3] == [1, 10, 11]
    page, total = select({i: row(i, name="alpha") for i in range(1, 30)}, Query(text="7"))
    assert page == [7], "a number finds that job's id, not every id with the digit"
    page, _ = select(rows, Query(backend=["Condor"]))
    assert page == [7]
    page, _ = select(rows, Query(sort="status", descending=False, page_size=100))
    assert [rows[i]["status"] for i in page[:30]] == ["completed"] * 30


@pytest.mark.parametrize(
    ("status", "counts", "enabled"),
    [
        ("running", {"running": 2}, ["open", "kill", "remove"]),
        ("held", {"held": 1, "failed": 1}, ["open", "kill", "resubmit", "remove"]),
        ("completed", {"completed": 3, "failed_frozen": 1}, ["open", "resubmit", "remove"]),
        ("failed", {}, ["open", "resubmit", "remove"]),
        ("new", {}, ["open", "remove"]),
    ],
)
def test_each_row_says_which_of_its_buttons_make_sense(
    status: str, counts: dict[str, int], enabled: list[str]
) -> None:
    from ganga_widgets.jobdata.rows import row_actions, unreadable

    assert row_actions(status, counts) == enabled
    assert unreadable(3, "damaged")["actions"] == [], "a job Ganga cannot read offers nothing"
