"""Subjob status codes and counts, maintained per change."""

from __future__ import annotations

import random

from ganga_widgets.state import STATUS_CODES, SubjobCodes, actions


def test_counts_follow_changes_exactly() -> None:
    codes = SubjobCodes(["submitted"] * 1000)
    rng = random.Random(7)
    truth = ["submitted"] * 1000
    statuses = ["running", "completed", "failed", "killed", "submitted"]
    for _ in range(20_000):
        i = rng.randrange(1000)
        status = rng.choice(statuses)
        codes.set(i, status)
        truth[i] = status
    expected = {s: truth.count(s) for s in STATUS_CODES if truth.count(s)}
    assert codes.counts() == expected
    assert codes.text() == "".join(STATUS_CODES[s] for s in truth)


def test_unknown_status_and_out_of_range_index() -> None:
    codes = SubjobCodes(["new", "weird"])
    assert codes.counts() == {"new": 1, "unknown": 1}
    assert not codes.set(5, "running")
    assert codes.first("running", "new") == 0


def test_actions_offered() -> None:
    assert actions("running", {"running": 2, "failed": 1}, True) == {"kill": True, "resubmit": True}
    assert actions("completed", {"completed": 3}, True) == {"kill": False, "resubmit": False}
    assert actions("failed", {}, False) == {"kill": False, "resubmit": True}
