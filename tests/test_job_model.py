"""A job's whole view (JobModel) computed from plain records: no Ganga, no HTCondor.

The model reads the job through the GangaJob protocol and everything else through its
Sources; here both are plain data (tests/plain_jobs.py), so what each case shows is exact.
"""

from __future__ import annotations

import time

import pytest
from plain_jobs import Condor, PlainMonitor, PlainSources, cgroup_hold, split_job

from ganga_widgets.condor.facts import Facts
from ganga_widgets.jobdata.model import JobModel

pytestmark = pytest.mark.pure


def _model(job: object, sources: PlainSources) -> JobModel:
    model = JobModel(job, sources=sources)
    model.read_all()
    return model


def test_a_job_that_ended_between_two_flushes_is_shown_ended_with_every_subjob_counted() -> None:
    job = split_job(1, ["running", "running", "completed"])
    model = _model(job, PlainSources())
    before = model.compute()
    assert before["summary"]["status"] == "running"
    assert before["counts"] == {"running": 2, "completed": 1}

    # both running subjobs end and Ganga settles the master; the dispatcher's flush so far
    # brought only subjob 0's change (the rest, and the master's own, come next flush)
    for subjob in job.subjobs:
        subjob.status = "completed"
    job.status = "completed"
    model.apply({0: job.subjobs[0]})
    after = model.compute()

    assert after["summary"]["status"] == "completed"
    assert after["counts"] == {"completed": 3}, "not 'completed' beside a running subjob"
    assert after["cells"] == "ccc"
    assert after["can"]["kill"] is False


def test_held_subjobs_are_grouped_by_their_cause_with_a_proposal_for_memory() -> None:
    job = split_job(2, ["running"] * 5, Condor())
    monitor = PlainMonitor(
        {
            (2, 0): cgroup_hold(281, slot="slot1@a"),
            (2, 1): cgroup_hold(431, slot="slot2@b"),
            (2, 2): Facts(
                status="held",
                hold_code=13,
                hold_subcode=2,
                submitted=1.0,
                hold_reason="Error from slot1@a: Failed to transfer files",
            ),
            (2, 3): Facts(status="running", submitted=1.0, started=2.0, host="a"),
            (2, 4): Facts(status="idle", submitted=1.0),
        }
    )
    model = _model(job, PlainSources(monitor))
    values = model.compute()

    assert values["counts"] == {"held": 3, "running": 1, "idle": 1}
    assert values["summary"]["status"] == "running"
    memory, transfer = values["held"]
    assert (memory["count"], memory["subjobs"], memory["fix"]["kind"]) == (2, [0, 1], "memory")
    assert memory["fix"]["suggested_mb"] == 600  # 431 MB measured × 1.25, in hundreds
    assert (transfer["count"], transfer["subjobs"], transfer["code"]) == (1, [2], 13)
    assert model.held_in("memory") == [0, 1]
    assert model.held_in(transfer) == [2]
    assert values["can"]["release_held"] is True


def test_a_disconnected_subjob_says_until_when_htcondor_tries_to_reconnect() -> None:
    job = split_job(3, ["running", "running"])
    lost = time.time() - 30
    monitor = PlainMonitor(
        {
            (3, 0): Facts(
                status="running",
                submitted=1.0,
                started=2.0,
                host="node1",
                slot="slot1@node1",
                note="job disconnected, attempting to reconnect",
                disconnected_at=lost,
                lease_s=1200,
            ),
            (3, 1): Facts(status="running", submitted=1.0, started=2.0, host="node2"),
        }
    )
    model = _model(job, PlainSources(monitor))
    detail = model.compute(selected=0)["detail"]

    assert detail["status"] == "running" and detail["host"] == "slot1@node1"
    assert detail["condor"]["note"] == "job disconnected, attempting to reconnect"
    assert detail["condor"]["gives_up_at"] == pytest.approx(lost + 1200)
    monitor.problem_text = "the HTCondor schedd cannot be reached"
    assert model.compute()["notice"] == "the HTCondor schedd cannot be reached"


def test_ten_thousand_subjobs_are_counted_change_by_change() -> None:
    n = 10_000
    job = split_job(4, ["submitted"] * n)
    job.status = "submitted"
    model = _model(job, PlainSources())
    assert model.compute()["counts"] == {"submitted": n}

    changed = {}
    for i in range(0, n, 10):  # a tenth start
        job.subjobs[i].status = "running"
        changed[i] = job.subjobs[i]
    for i in range(0, n, 100):  # of which some end, one in ten of them failed
        job.subjobs[i].status = "failed" if i % 1000 == 0 else "completed"
        changed[i] = job.subjobs[i]
    model.apply(changed)
    values = model.compute()

    assert values["counts"] == {"submitted": 9_000, "running": 900, "completed": 90, "failed": 10}
    assert values["summary"]["status"] == "running", "a job with a subjob running runs"
    assert len(values["cells"]) == n and values["cells"][:11] == "fsssssssssr"
    assert [f["subjob"] for f in values["failures"]] == [0, 1000, 2000, 3000, 4000]
    assert values["can"]["resubmit"] is True


def test_what_the_session_knows_reaches_the_notice() -> None:
    job = split_job(5, [])
    job.status = "new"
    sources = PlainSources(refused="Ganga cannot save job states into the gangadir /g",
                           failures={5: "the schedd refused the job"})  # fmt: skip
    values = _model(job, sources).compute()
    assert values["notice"].splitlines() == [
        "Ganga cannot save job states into the gangadir /g",
        "submitting the job failed: the schedd refused the job",
    ]
