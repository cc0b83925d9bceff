"""The one status vocabulary: every view ranks, codes and groups statuses from it."""

from __future__ import annotations

import pytest

from ganga_widgets.vocabulary.status import (
    ACTIVE,
    COMPLETED,
    FAILED,
    FINAL,
    IN_BATCH,
    ORDER,
    QUEUED,
    RANK,
    SHOWN_ACTIVE,
    STATUS_CODES,
    STATUS_OF_CODE,
    UNREADABLE,
    job_status,
    vocabulary,
)

pytestmark = pytest.mark.pure


def test_every_status_has_one_code_and_one_rank() -> None:
    assert len(set(STATUS_CODES.values())) == len(STATUS_CODES), "two statuses share a code"
    assert all(len(code) == 1 for code in STATUS_CODES.values())
    assert {STATUS_OF_CODE[c] for c in STATUS_CODES.values()} == set(STATUS_CODES)
    assert list(ORDER) == [*STATUS_CODES, UNREADABLE] and sorted(RANK.values()) == list(
        range(len(ORDER))
    )


def test_the_sets_are_made_of_known_statuses_and_do_not_contradict_each_other() -> None:
    for named in (ACTIVE, SHOWN_ACTIVE, FINAL, FAILED, COMPLETED, QUEUED, IN_BATCH):
        assert named <= set(STATUS_CODES)
    assert not ACTIVE & FINAL and not SHOWN_ACTIVE & FINAL and not FAILED & COMPLETED
    assert FAILED <= FINAL and COMPLETED <= FINAL and IN_BATCH <= ACTIVE <= SHOWN_ACTIVE
    # a life runs forward: nothing active ranks after an ending
    assert max(RANK[s] for s in SHOWN_ACTIVE) < min(RANK[s] for s in FINAL)


def test_the_views_get_the_sets_in_display_order() -> None:
    sent = vocabulary()
    assert sent["order"] == list(ORDER) and sent["codes"] == STATUS_CODES
    assert set(sent["sets"]) == {"active", "shown_active", "final", "failed", "completed", "queued"}
    for name, statuses in sent["sets"].items():
        assert statuses == sorted(statuses, key=RANK.__getitem__), name
    assert set(sent["sets"]["final"]) == FINAL


@pytest.mark.parametrize(
    ("ganga", "counts", "shown"),
    [
        ("submitted", {"running": 1, "submitted": 9}, "running"),
        ("submitted", {"held": 2, "idle": 1}, "held"),
        ("submitted", {"idle": 3}, "idle"),
        ("running", {"completed": 2, "failed": 1}, "completing"),
        ("submitted", {}, "submitted"),
        ("completed", {"running": 1}, "completed"),  # Ganga's ending is never overridden
        ("new", {}, "new"),
    ],
)
def test_a_split_jobs_shown_status(ganga: str, counts: dict[str, int], shown: str) -> None:
    assert job_status(ganga, counts) == shown
