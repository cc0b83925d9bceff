"""Subjob status codes and counts, maintained per change."""

from __future__ import annotations

import random

import pytest

from ganga_widgets.condor.facts import Facts
from ganga_widgets.jobdata.codes import SubjobCodes
from ganga_widgets.jobdata.read import actions
from ganga_widgets.vocabulary.status import STATUS_CODES, display_status, job_status

pytestmark = pytest.mark.pure


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
    offered = actions("running", {"running": 2, "failed": 1, "held": 1}, True)
    assert offered == {"kill": True, "resubmit": True, "release_held": True}
    assert not any(actions("completed", {"completed": 3}, True).values())
    assert actions("failed", {}, False) == {"kill": False, "resubmit": True, "release_held": False}


def test_what_htcondor_says_makes_ganga_status_precise() -> None:
    assert display_status("submitted", Facts(status="held")) == "held"
    assert display_status("running", Facts(status="held")) == "held"
    assert display_status("submitted", Facts(status="idle")) == "idle"
    assert display_status("running", Facts(status="completed")) == "completing"
    assert display_status("running", Facts(status="removed")) == "killed"
    assert display_status("completed", Facts(status="running")) == "completed"  # Ganga final
    assert display_status("submitted", None) == "submitted"
    assert job_status("submitted", {"held": 2, "idle": 3}) == "held"
    assert job_status("running", {"running": 1, "held": 2}) == "running"
    assert job_status("submitted", {"submitted": 48, "running": 2}) == "running"
    assert job_status("completed", {"completed": 2}) == "completed"
    assert job_status("running", {"killed": 2}) == "completing"  # Ganga not caught up yet
    assert job_status("running", {"completing": 1, "failed": 1}) == "completing"
    assert job_status("submitted", {"submitted": 1, "completed": 1}) == "submitted"


def test_a_job_shown_running_stays_running_between_one_subjob_and_the_next() -> None:
    """30 subjobs on 2 slots: as one ends, none may run for a moment while 27 are queued;
    the job as a whole is still running. Resubmitted after its end, it is queued again."""
    shown, seen = "", []
    for counts in ({"idle": 30}, {"running": 2, "idle": 28}, {"completed": 1, "idle": 29},
                   {"completed": 2, "idle": 27, "held": 1}, {"running": 1, "completed": 29},
                   {"completed": 29, "held": 1}):  # fmt: skip
        shown = job_status("submitted", counts, shown)
        seen.append(shown)
    assert seen == ["idle", "running", "running", "running", "running", "held"]
    assert job_status("submitted", {"submitted": 1, "completed": 1}, "failed") == "submitted"
