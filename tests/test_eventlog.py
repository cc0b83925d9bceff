"""A Condor job's event log, folded event by event through the transition table."""

from __future__ import annotations

from typing import Any

import pytest

from ganga_widgets.condor.facts import RECORD, STATUS_AFTER, Facts, fold, merge_live
from ganga_widgets.vocabulary.status import STATUS_CODES

pytestmark = pytest.mark.pure
USAGE = "Usr 0 00:01:02, Sys 0 00:00:03"


def replay(*events: tuple[str, float, dict[str, Any]]) -> Facts:
    facts = Facts()
    for kind, when, attributes in events:
        fold(facts, kind, when, attributes)  # a dict answers .get(name, default) as an event
    return facts


def test_every_status_the_table_leads_to_is_one_the_views_know() -> None:
    shown = {"idle", "running", "held", "suspended", "completed", "removed"}
    assert set(STATUS_AFTER.values()) == shown and shown <= set(STATUS_CODES)
    assert set(STATUS_AFTER) <= set(RECORD) | {"JOB_RELEASED", "JOB_SUSPENDED", "JOB_UNSUSPENDED"}


def test_a_life_with_a_hold_an_eviction_and_an_end() -> None:
    f = replay(
        ("SUBMIT", 100.0, {}),
        ("EXECUTE", 110.0, {"SlotName": "slot1@node7.cern.ch"}),
        ("IMAGE_SIZE", 120.0, {"ResidentSetSize": 204800}),
        ("JOB_EVICTED", 130.0, {}),
        ("JOB_HELD", 140.0, {"HoldReason": "disk\x1b[31m full", "HoldReasonCode": 13}),
    )
    assert (f.status, f.status_since, f.submitted, f.started) == ("held", 140.0, 100.0, 110.0)
    assert (f.host, f.memory_mb, f.evictions, f.hold_code) == ("node7.cern.ch", 200.0, 1, 13)
    assert f.hold_reason == "disk full", "escape codes from the job are not shown"

    f2 = replay(
        ("SUBMIT", 100.0, {}),
        ("EXECUTE", 110.0, {"ExecuteHost": "<10.0.0.5:9618?alias=wn5.example.org>"}),
        ("JOB_TERMINATED", 170.0, {"MemoryUsage": 50, "RunRemoteUsage": USAGE}),
    )
    assert (f2.status, f2.host, f2.ended) == ("completed", "wn5.example.org", 170.0)
    assert (f2.cpu_s, f2.wall_s) == (65.0, 60.0)
    assert f2.memory_peak_mb == 50.0


def test_a_repeated_status_keeps_when_it_began_and_notes_come_and_go() -> None:
    f = replay(("SUBMIT", 1.0, {}), ("JOB_RELEASED", 5.0, {}))
    assert (f.status, f.status_since) == ("idle", 1.0)
    f = replay(("EXECUTE", 1.0, {}), ("JOB_DISCONNECTED", 2.0, {}))
    assert "disconnected" in f.note and f.status == "running"
    fold(f, "JOB_RECONNECTED", 3.0, {})
    assert f.note == ""
    fold(f, "JOB_ABORTED", 4.0, {"Reason": "via condor_rm (by user alice)"})
    assert (f.status, f.note, f.ended) == ("removed", "via condor_rm (by user alice)", 4.0)


def test_unknown_events_change_nothing() -> None:
    f = replay(("SUBMIT", 1.0, {}))
    before = f.to_dict()
    fold(f, "CLUSTER_SUBMIT", 2.0, {"anything": 1})
    assert f.to_dict() == before


def test_the_schedds_live_values_fill_in_usage_and_a_missed_hold_reason() -> None:
    f = replay(("SUBMIT", 1.0, {}), ("EXECUTE", 2.0, {}))
    live = {"RemoteHost": "slot2@wn9", "RemoteUserCpu": 10.0, "RemoteSysCpu": 2.0}
    merge_live(f, {**live, "ResidentSetSize": 1024 * 300, "JobStatus": 5, "HoldReason": "policy"})
    assert (f.host, f.cpu_s, f.memory_mb, f.hold_reason) == ("wn9", 12.0, 300.0, "policy")


def test_the_connection_story_is_kept_with_times_and_when_htcondor_gives_up() -> None:
    from ganga_widgets.jobdata.condor_facts import condor_detail

    f = replay(
        ("SUBMIT", 100.0, {}),
        ("EXECUTE", 110.0, {"SlotName": "slot1@wn1"}),
        ("JOB_SUSPENDED", 120.0, {}),
        ("JOB_UNSUSPENDED", 125.0, {}),
        ("JOB_DISCONNECTED", 130.0, {}),
    )
    merge_live(f, {"JobLeaseDuration": 2400, "RequestMemory": 2000, "RequestCpus": 1})
    assert f.disconnected_at == 130.0 and "disconnected" in f.note
    detail = condor_detail(f, why_idle_after=60)
    assert detail["gives_up_at"] == 130.0 + 2400
    fold(f, "JOB_RECONNECT_FAILED", 140.0, {"Reason": "startd slot1@wn1 gone"})
    fold(f, "JOB_EVICTED", 141.0, {})
    fold(f, "EXECUTE", 150.0, {"SlotName": "slot2@wn2"})
    assert f.history == [
        (120.0, "suspended"), (125.0, "running again"), (130.0, "disconnected"),
        (140.0, "startd slot1@wn1 gone"), (141.0, "evicted from slot1@wn1"),
        (150.0, "running again on slot2@wn2"),
    ]  # fmt: skip
    assert f.disconnected_at is None and condor_detail(f, 60)["gives_up_at"] is None
    assert (f.memory_request_mb, f.cpus_request, f.note) == (2000.0, 1, "")
    for i in range(30):
        fold(f, "JOB_SUSPENDED", 200.0 + i, {})
    assert len(f.history) == 10, "bounded"


def test_held_subjobs_are_grouped_with_what_fits_each_reason() -> None:
    from ganga_widgets.jobdata.condor_facts import held_groups

    def held(code: int, subcode: int, reason: str, request: float | None = None) -> Facts:
        f = replay(("JOB_HELD", 1.0, {"HoldReasonCode": code, "HoldReasonSubCode": subcode,
                                      "HoldReason": reason}))  # fmt: skip
        f.memory_request_mb = request
        return f

    missing = "Transfer input files failure at access point: reading from file /data/in 7.root: (errno 2) No such file"  # noqa: E501
    groups = held_groups([
        (0, held(34, 0, "Job has gone over memory limit of 100 megabytes.", 100)),
        (1, held(34, 0, "Job has gone over memory limit of 100 megabytes.", 150)),
        (2, held(3, 0, "memory use above request (policy)", 300)),
        (3, held(13, 2, missing)),
        (4, held(34, 104, "Job has gone over disk limit")),
        (5, held(1, 0, "held from a notebook")),
    ])  # fmt: skip
    fixes = {g["subjobs"][0]: g["fix"] for g in groups}
    assert fixes[0] == {"kind": "memory", "request_mb": 150, "peak_mb": None, "peak_from": "",
                        "suggested_mb": 300}  # fmt: skip
    assert fixes[2]["suggested_mb"] == 600 and fixes[2]["request_mb"] == 300
    assert fixes[3] == {"kind": "missing_input", "path": "/data/in 7.root"}
    assert fixes[4] == fixes[5] == {"kind": "release"}
