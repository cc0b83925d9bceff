"""Held subjobs grouped by cause, and the memory to ask for proposed from what was measured.

HTCondor's own memory hold names each job's usage (and the slot it came from), so the raw
reasons of 3 subjobs held for memory are 3 texts; they are one cause.
"""

from __future__ import annotations

import pytest
from plain_jobs import cgroup_hold as cgroup

from ganga_widgets.condor.facts import Facts
from ganga_widgets.jobdata.condor_facts import (
    HELD_GROUPS_SHOWN,
    HELD_IDS_SHOWN,
    OTHER,
    cause,
    held_groups,
    held_members,
)

pytestmark = pytest.mark.pure


def test_three_subjobs_held_for_memory_are_one_cause_and_the_proposal_covers_the_largest() -> None:
    held = [(0, cgroup(281)), (1, cgroup(330, slot="slot2@other")), (2, cgroup(431))]
    [group] = held_groups(held)
    assert group["count"] == 3 and group["subjobs"] == [0, 1, 2]
    fix = group["fix"]
    assert (fix["kind"], fix["peak_mb"], fix["peak_from"]) == ("memory", 431, "the hold reason")
    assert fix["suggested_mb"] == 600  # 431 MB × 1.25, in whole hundreds
    assert fix["request_mb"] == 100
    assert held_members(held, group["key"]) == [0, 1, 2] == held_members(held, "memory")


def test_the_proposal_is_never_below_twice_the_request_and_takes_htcondors_measurements() -> None:
    small = cgroup(110, limit=1000)  # over by little: twice the request
    assert held_groups([(0, small)])[0]["fix"]["suggested_mb"] == 2000
    policy = Facts(status="held", hold_reason="memory usage above request_memory", hold_code=3,
                   hold_subcode=1, memory_request_mb=100, memory_peak_mb=702.4)  # fmt: skip
    fix = held_groups([(0, policy)])[0]["fix"]
    assert (fix["peak_mb"], fix["peak_from"], fix["suggested_mb"]) == (
        702.4,
        "HTCondor's measurements",
        900,
    )
    gigabytes = cgroup(0)
    gigabytes.hold_reason = "Job was held: its memory peaked at 3.5 GB, over its request"
    gigabytes.hold_code = 21
    assert held_groups([(0, gigabytes)])[0]["fix"]["suggested_mb"] == 4500  # 3,584 × 1.25


def test_every_held_subjob_is_in_a_group_however_many_causes() -> None:
    held = [(i, cgroup(200 + i)) for i in range(30)]  # one cause
    held += [(100 + i, Facts(status="held", hold_code=1, hold_reason=f"by hand, ticket {i}"))
             for i in range(5)]  # one cause: the figures differ  # fmt: skip
    odd = [Facts(status="held", hold_code=code, hold_reason=f"reason {chr(97 + code)}")
           for code in range(20, 20 + HELD_GROUPS_SHOWN + 3)]  # fmt: skip
    held += [(200 + i, f) for i, f in enumerate(odd)]
    groups = held_groups(held)
    assert len(groups) == HELD_GROUPS_SHOWN
    assert sum(g["count"] for g in groups) == len(held)  # the title counts what the header does
    assert [g["count"] for g in groups[:2]] == [30, 5]
    assert all(len(g["subjobs"]) <= HELD_IDS_SHOWN for g in groups)
    other = groups[-1]
    assert other["key"] == OTHER and other["fix"] == {"kind": "release"}
    reached = {i for g in groups for i in held_members(held, g["key"])}
    assert reached == {i for i, _ in held}  # every one can be acted on


def test_a_job_without_subjobs_is_its_own_group() -> None:
    [group] = held_groups([(None, cgroup(431))])
    assert group["subjobs"] == [] and group["count"] == 1
    assert group["fix"]["suggested_mb"] == 600
    assert held_members([(None, cgroup(431))], "memory") == [None]


def test_a_cause_keeps_the_code_and_drops_what_differs_per_job() -> None:
    assert cause(cgroup(281)) == cause(cgroup(4310, limit=2000, slot="slot9@x.y"))
    reason = "reading from file /data/in 7.root: (errno 2) No such file"
    missing = Facts(hold_code=13, hold_subcode=2, hold_reason=reason)
    assert cause(missing).startswith("13.2: reading from file <path>")
    other_code = cgroup(281)
    other_code.hold_subcode = 104
    assert cause(other_code) != cause(cgroup(281))
