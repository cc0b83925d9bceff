"""JobWidget on real Ganga Condor() jobs in the project's personal HTCondor pool."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conditions import wait_until
from ganga_jobs import HOLDS_MEMORY, MEMORY_POLICY, UNTIL_FLAG, condor_job, python_job
from htcondor_pool import condor_answer, condor_tool, pool_is_free

pytestmark = pytest.mark.ganga

EXIT_WITH = "import sys, time\ntime.sleep(1)\nprint('bye', sys.argv[1], file=sys.stderr)\nsys.exit(int(sys.argv[1]))\n"  # noqa: E501
# Each start of the job adds a line to the file sys.argv[2]; then it runs until sys.argv[1] exists.
STARTS_THEN_UNTIL_FLAG = (
    "import sys\nwith open(sys.argv[2], 'a') as f:\n    f.write('start\\n')\n" + UNTIL_FLAG
)
SLEEP = "import sys, time\ntime.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 60)\n"


def _widget(job: Any) -> Any:
    from ganga_widgets import JobWidget

    return JobWidget(job)


def _cluster(job: Any) -> str:
    first = job.subjobs[0] if len(job.subjobs) else job
    return first.backend.id.split(".")[0]


def _running(ganga: Any, tmp_path: Path, subjobs: int) -> tuple[Any, Any]:
    """A job of ``subjobs`` subjobs, submitted, with its widget, once all run. They run
    until ``tmp_path / "finish"`` exists (the fixture removes them after the test)."""
    job = condor_job(ganga, tmp_path, UNTIL_FLAG, args=[[str(tmp_path / "finish")]] * subjobs)
    job.submit()
    widget = _widget(job)
    wait_until(lambda: widget.cells == "r" * subjobs, 60, f"{subjobs} subjobs running")
    return job, widget


def _in_queue(cluster: str) -> int:
    from ganga_widgets.condor import bindings as condor

    return len(condor.bindings().Schedd().query(constraint=f"ClusterId == {cluster}",
                                                projection=["ProcId"]))  # fmt: skip


def test_a_condor_job_ends_with_counts_exit_codes_and_what_htcondor_measured(
    condor_ganga: Any, tmp_path: Path
) -> None:
    job = condor_job(condor_ganga, tmp_path, EXIT_WITH, args=[["0"], ["3"], ["0"]])
    job.submit()
    widget = _widget(job)
    seen: list[str] = []
    widget.observe(lambda _: seen.append(widget.cells), names=["cells"])

    wait_until(lambda: widget.summary["status"] == "failed", 90, "the job to end as failed")

    assert widget.counts == {"completed": 2, "failed": 1}
    assert "r" in "".join(seen), f"never saw a subjob running: {seen}"
    [failure] = widget.failures
    assert failure["subjob"] == 1 and failure["exit_code"] == 3 and "bye 3" in failure["tail"]
    widget._handle_custom_msg({"type": "select", "subjob": 0}, [])
    condor = widget.detail["condor"]
    assert widget.detail["exit_code"] == 0
    assert condor["status"] == "completed" and condor["host"] and condor["slot"].startswith("slot")
    assert condor["wall_s"] is not None and condor["memory_peak_mb"] is not None


def test_a_held_job_shows_held_with_its_reason_and_release_makes_it_run(
    condor_ganga: Any, tmp_path: Path
) -> None:
    job, widget = _running(condor_ganga, tmp_path, 2)

    condor_tool("condor_hold", f"{_cluster(job)}.1")  # from a terminal, outside the notebook

    wait_until(lambda: widget.cells == "rh", 60, "subjob 1 shown held")
    assert job.subjobs[1].status == "running", "Ganga itself still says running"
    [group] = widget.held
    assert group["subjobs"] == [1] and group["code"] == 1
    assert "condor_hold" in group["reason"]
    widget._handle_custom_msg({"type": "select", "subjob": 1}, [])
    assert widget.detail["status"] == "held"
    assert "condor_hold" in widget.detail["condor"]["hold_reason"]
    assert widget.detail["condor"]["can_release"] and widget.can["release_held"]

    outcome = widget.run_action("release", subjob=1)

    assert outcome["state"] == "done", outcome
    wait_until(lambda: widget.cells[1] in "ir", 60, "subjob 1 released")
    (tmp_path / "finish").touch()
    wait_until(lambda: widget.summary["status"] == "completed", 60, "the job to complete")
    assert widget.held == [] and widget.counts == {"completed": 2}


def test_hold_from_the_widget_and_release_all_held(condor_ganga: Any, tmp_path: Path) -> None:
    _, widget = _running(condor_ganga, tmp_path, 2)
    for subjob in (0, 1):
        assert widget.run_action("hold", subjob=subjob)["state"] == "done"
    wait_until(lambda: widget.summary["status"] == "held", 60, "the job shown held")
    assert widget.counts == {"held": 2}
    assert "ganga_widgets" in widget.held[0]["reason"]

    outcome = widget.run_action("release_held")

    assert outcome["state"] == "done" and "released 2" in outcome["message"], outcome
    wait_until(lambda: widget.cells == "rr", 60, "both subjobs running again")
    refused = widget.run_action("release", subjob=0)
    assert refused["state"] in ("failed", "refused"), refused


def test_a_failed_condor_subjob_resubmitted_from_the_widget_is_followed_again(
    condor_ganga: Any, tmp_path: Path
) -> None:
    flag = tmp_path / "fixed"
    code = (
        "import os, sys, time\n"
        "time.sleep(1)\n"
        f"sys.exit(0 if sys.argv[1] == '0' or os.path.exists({str(flag)!r}) else 4)\n"
    )
    job = condor_job(condor_ganga, tmp_path, code, args=[["0"], ["1"]])
    job.submit()
    widget = _widget(job)
    wait_until(lambda: widget.summary["status"] == "failed", 90, "the first attempt to fail")
    assert widget.counts == {"completed": 1, "failed": 1}
    assert widget.failures[0]["exit_code"] == 4
    seen: list[str] = []
    widget.observe(lambda _: seen.append(widget.cells[1]), names=["cells"])
    flag.write_text("the input is fixed")

    outcome = widget.run_action("resubmit")

    assert outcome["state"] == "done", outcome
    wait_until(lambda: widget.summary["status"] == "completed", 90, "the second attempt")
    assert widget.counts == {"completed": 2} and widget.failures == []
    assert "r" in "".join(seen) or "i" in "".join(seen), f"the rerun was not followed: {seen}"
    widget._handle_custom_msg({"type": "select", "subjob": 1}, [])
    assert widget.detail["exit_code"] == 0 and widget.detail["condor"]["status"] == "completed"


def test_kill_from_the_widget_removes_the_jobs_from_the_schedd(
    condor_ganga: Any, tmp_path: Path
) -> None:
    job = condor_job(condor_ganga, tmp_path, SLEEP, args=[["60"], ["60"], ["60"]])
    job.submit()
    widget = _widget(job)
    wait_until(lambda: widget.counts.get("running") == 2, 60, "two subjobs running")
    cluster = _cluster(job)
    assert _in_queue(cluster) == 3

    widget._handle_custom_msg({"type": "action", "name": "kill", "seq": 3}, [])

    assert widget.action["state"] == "done", widget.action
    wait_until(lambda: _in_queue(cluster) == 0, 60, "the jobs to leave the schedd")
    assert widget.summary["status"] == "killed" and widget.counts == {"killed": 3}


def test_a_job_removed_with_condor_rm_outside_shows_killed_within_seconds(
    condor_ganga: Any, tmp_path: Path
) -> None:
    job, widget = _running(condor_ganga, tmp_path, 2)
    cluster = _cluster(job)

    condor_tool("condor_rm", cluster)

    def state() -> Any:
        queue = condor_answer("condor_q", cluster, "-af", "ProcId", "JobStatus")
        ganga = [sj.status for sj in job.subjobs]
        return {"view": widget.counts, "detail": _condor(widget), "ganga": ganga, "queue": queue}

    wait_until(lambda: widget.counts == {"killed": 2}, 60, "the removal shown", shown=state)
    # Ganga's own state follows (it would say "failed", after 10 minutes at worst)
    wait_until(lambda: job.status == "killed", 60, "Ganga to call the job killed")
    # the view hears of it at the dispatcher's next flush (~0.1 s), not at the same instant
    wait_until(lambda: widget.summary["status"] == "killed", 60, "the job shown killed")


def test_memory_host_and_cpu_of_a_running_job_are_shown(condor_ganga: Any, tmp_path: Path) -> None:
    code = (
        "import time\n"
        "block = bytearray(200 * 1024 * 1024)\n"
        "for i in range(0, len(block), 4096): block[i] = 1\n"
        "deadline = time.time() + 60\n"
        "while time.time() < deadline: sum(range(100000))  # busy: CPU time to measure\n"
    )
    job = condor_job(condor_ganga, tmp_path, code)
    job.submit()
    widget = _widget(job)

    def about_200_mb() -> dict | None:
        condor = widget.detail.get("condor") or {}
        return condor if (condor.get("memory_mb") or 0) >= 150 else None

    condor = wait_until(about_200_mb, 40, "memory use of about 200 MB to be shown")
    assert condor["status"] == "running" and condor["host"] and condor["slot"]
    assert condor["memory_mb"] >= 150, condor
    wait_until(lambda: (widget.detail["condor"]["cpu_s"] or 0) > 0, 30, "CPU time to be shown")
    widget.run_action("kill")


def test_stderr_of_a_running_condor_job_grows_in_the_view(
    condor_ganga: Any, tmp_path: Path
) -> None:
    code = (
        "import sys, time\n"
        "for i in range(400):\n"
        "    print('tick', i, file=sys.stderr, flush=True); time.sleep(0.1)\n"
    )
    job = condor_job(condor_ganga, tmp_path, code)
    job.submit()
    widget = _widget(job)

    def ticks() -> int:
        stderr = widget.detail.get("stderr") or {}
        if stderr.get("source") != "live":
            return 0
        lines = [line for line in stderr["text"].splitlines() if line.startswith("tick ")]
        return int(lines[-1].split()[1]) if lines else 0

    first = wait_until(ticks, 40, "live stderr of the running job")
    wait_until(lambda: ticks() > first + 10, 60, "live stderr to grow")
    assert widget.detail["status"] == "running"
    widget.run_action("kill")


def test_why_idle_shows_the_schedds_analysis(condor_ganga: Any, tmp_path: Path) -> None:
    # No slot has 100 TB of memory: the job can never start.
    job = condor_job(condor_ganga, tmp_path, SLEEP, cdf_options={"request_memory": "100000000"})
    job.submit()
    widget = _widget(job)
    widget.why_idle_after = 2
    wait_until(lambda: widget.summary["status"] == "idle", 30, "the job shown idle")
    wait_until(lambda: widget.detail["condor"]["why_idle"], 60, "the view to offer Why idle?")

    outcome = widget.run_action("why_idle")

    assert outcome["state"] == "done", outcome
    text = widget.analysis["text"]
    assert "RequestMemory" in text and "rejected by your job's requirements" in text, text
    widget.run_action("kill")


def test_local_and_condor_jobs_becoming_active_together_both_update(
    condor_ganga: Any, tmp_path: Path
) -> None:
    """Ganga 8.7.12 polls one of two backends that become active in one pass twice and the
    other never (a leftover loop variable)."""
    condor_ganga.disableMonitoring()  # so that the next pass sees both jobs at once
    local = python_job(condor_ganga, "import time; time.sleep(1)")
    local.submit()
    on_condor = condor_job(condor_ganga, tmp_path, SLEEP, args=[["1"]])
    on_condor.submit()
    condor_ganga.enableMonitoring()

    wait_until(lambda: local.status == "completed", 30, "Ganga to see the Local job end")
    wait_until(lambda: on_condor.status == "completed", 60, "Ganga to see the Condor job end")


def test_an_unreachable_schedd_is_reported_and_the_view_recovers(
    condor_ganga: Any, tmp_path: Path
) -> None:
    errors: list[str] = []
    handler = logging.Handler(logging.ERROR)
    handler.emit = lambda record: errors.append(record.getMessage())  # type: ignore[method-assign]
    logging.getLogger().addHandler(handler)
    previous_hook = threading.excepthook
    threading.excepthook = lambda args: errors.append(f"thread died: {args.exc_value!r}")
    job = condor_job(condor_ganga, tmp_path, UNTIL_FLAG, args=[[str(tmp_path / "finish")]])
    job.submit()
    widget = _widget(job)
    wait_until(lambda: widget.cells == "r", 60, "the job running")
    try:
        condor_tool("condor_off", "-fast", "-schedd")

        notice = wait_until(
            lambda: "cannot be reached since" in widget.notice and widget.notice, 60,
            "the view to say the schedd cannot be reached",
        )  # fmt: skip
        assert "last heard from" in notice
        assert widget.cells == "r", "the last known state must stay"
    finally:
        condor_tool("condor_on", "-schedd")
    wait_until(lambda: widget.notice == "", 60, "the notice to clear once the schedd is back")
    (tmp_path / "finish").touch()
    wait_until(lambda: widget.summary["status"] == "completed", 90, "the job to complete")
    threading.excepthook = previous_hook
    logging.getLogger().removeHandler(handler)
    assert errors == [], f"errors escaped from background threads: {errors}"


def _counting_starts(ganga: Any, tmp_path: Path) -> tuple[Any, Any, Path, list[str]]:
    """A one-subjob job that notes each start in ``starts`` and runs until ``finish``
    exists; its widget once it runs, and the subjob states the widget showed."""
    starts = tmp_path / "starts"
    job = condor_job(ganga, tmp_path, STARTS_THEN_UNTIL_FLAG,
                     args=[[str(tmp_path / "finish"), str(starts)]])  # fmt: skip
    job.submit()
    widget = _widget(job)
    shown: list[str] = []
    widget.observe(lambda _: shown.append(widget.cells), names=["cells"])
    wait_until(lambda: widget.cells == "r" and starts.exists(), 60, "the job running")
    return job, widget, starts, shown


def _slots_known() -> int:
    """The execute slots the collector knows of (0 while it does not answer)."""
    return len((condor_answer("condor_status", "-af", "Name") or "").split())


def _condor(widget: Any) -> dict[str, Any]:
    return widget.detail.get("condor") or {}


def test_schedd_and_collector_restarted_while_a_job_runs_it_reconnects_and_the_view_follows(
    condor_ganga: Any, tmp_path: Path
) -> None:
    job, widget, starts, shown = _counting_starts(condor_ganga, tmp_path)
    from ganga_widgets.condor.eventlog import FILE_NAME

    log = Path(job.subjobs[0].outputdir) / FILE_NAME  # the job's event log, HTCondor's own
    condor_tool("condor_restart", "-schedd")  # the daemon alone: the startd keeps the job
    wait_until(lambda: "Job reconnected" in log.read_text(), 60, "HTCondor to reconnect")
    condor_tool("condor_restart", "-collector")
    wait_until(lambda: _slots_known() == 2, 60, "the collector back, knowing both slots")
    assert widget.cells == "r" and _condor(widget).get("status") == "running"
    (tmp_path / "finish").touch()
    wait_until(lambda: widget.summary["status"] == "completed", 90, "the job to complete")
    assert starts.read_text() == "start\n", "the job ran again: it did not reconnect"
    assert set(shown) <= {"r", "g", "c"}, f"the view showed {shown}"
    wait_until(lambda: widget.notice == "", 60, "no notice left")


def test_a_suspended_then_evicted_job_is_shown_as_such_and_runs_to_the_end(
    condor_ganga: Any, tmp_path: Path
) -> None:
    job, widget, starts, shown = _counting_starts(condor_ganga, tmp_path)
    cluster = _cluster(job)
    condor_tool("condor_suspend", cluster)
    wait_until(lambda: widget.cells == "p" and _condor(widget).get("status") == "suspended",
               60, "the view to show the job suspended")  # fmt: skip
    assert widget.counts.get("suspended") == 1
    condor_tool("condor_continue", cluster)
    wait_until(lambda: widget.cells == "r", 60, "the job running again")
    condor_tool("condor_vacate_job", cluster)  # evicted: it goes back to the queue
    wait_until(lambda: len(starts.read_text().split()) == 2, 60, "the job started again")
    wait_until(lambda: widget.cells == "r" and _condor(widget).get("evictions") == 1, 60,
               "the view to show the job running again after one eviction")  # fmt: skip
    (tmp_path / "finish").touch()
    wait_until(lambda: widget.summary["status"] == "completed", 90, "the job to complete")
    assert "p" in shown and "f" not in shown and "k" not in shown, shown


def _submit_in_a_fresh_process(env: dict[str, str], prelude: str, gangadir: Path) -> str:
    code = f"""{prelude}
import sys, ganga_widgets
ganga_widgets.start(gangadir={str(gangadir)!r})
ganga = ganga_widgets.session.gpi()
job = ganga.Job(application=ganga.Executable(exe='/bin/true'), backend=ganga.Condor())
try:
    job.submit()
    print('SUBMITTED')
except Exception as err:
    print('REFUSED:', err)
print('STATUS:', job.status)
"""
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    return proc.stdout + proc.stderr


def test_submitting_without_a_pool_fails_at_once_saying_what_is_missing(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CONDOR_CONFIG"}
    if os.path.exists("/etc/condor/condor_config"):
        pytest.skip("this machine has a system-wide HTCondor configuration")
    out = _submit_in_a_fresh_process(env, "", tmp_path / "gangadir")
    assert "REFUSED:" in out and "no HTCondor pool is configured" in out, out
    assert "CONDOR_CONFIG" in out and "STATUS: new" in out, out


def test_submitting_without_the_bindings_fails_at_once_saying_what_to_install(
    tmp_path: Path,
) -> None:
    # Fault injection, said so: the bindings cannot be uninstalled from the shared venv for
    # one test, so Python's own mechanism makes the module unimportable in this process.
    out = _submit_in_a_fresh_process(
        dict(os.environ),
        "import sys; sys.modules['htcondor'] = sys.modules['htcondor2'] = None",
        tmp_path / "gangadir",
    )
    assert "REFUSED:" in out and "Python bindings are not importable" in out, out
    assert "pip install htcondor" in out and "STATUS: new" in out, out


def test_without_condor_tail_the_view_says_why_there_is_no_live_stderr(
    condor_ganga: Any, tmp_path: Path
) -> None:
    # A kernel whose PATH has no condor_tail: a real setup (HTCondor's tools need not be
    # installed where the notebook runs).
    os.environ["PATH"] = os.pathsep.join(
        p for p in os.environ["PATH"].split(os.pathsep) if not os.path.exists(f"{p}/condor_tail")
    )
    _, widget = _running(condor_ganga, tmp_path, 1)
    widget._handle_custom_msg({"type": "select", "subjob": 0}, [])

    wait_until(
        lambda: (
            "condor_tail is not on this kernel's PATH" in (widget.detail["stderr"]["error"] or "")
        ),
        15,
        "the view to say why it shows no live stderr",
    )
    widget.run_action("kill")


def _in_queue_asking(cluster: str) -> list[Any]:
    from ganga_widgets.condor import bindings as condor

    ads = condor.bindings().Schedd().query(constraint=f"ClusterId == {cluster}",
                                           projection=["RequestMemory"])  # fmt: skip
    return [condor.value(ad, "RequestMemory") for ad in ads]


def _never_held_again(widget: Any, done: Callable[[], bool]) -> Callable[[], bool]:
    """A condition for wait_until: ``done()``, failing at once if a subjob is held again."""

    def condition() -> bool:
        again = widget.summary["status"] == "held" or widget.counts.get("held")
        assert not again, f"held again: {widget.held}"
        return done()

    return condition


def _never_held_in_history(job: Any) -> bool:
    """HTCondor's own records: none of the job's current runs was ever held."""
    said = [
        (condor_answer("condor_history", sj.backend.id, "-af", "NumHolds") or "?").strip()
        for sj in (job.subjobs or [job])
    ]
    return all(n in ("0", "undefined") for n in said)


def test_subjobs_held_for_memory_are_one_cause_and_one_click_gives_each_enough(
    condor_ganga: Any, tmp_path: Path
) -> None:
    finish = tmp_path / "finish"
    job = condor_job(condor_ganga, tmp_path, HOLDS_MEMORY,
                     args=[[str(finish), mb] for mb in ("250", "300", "400")],
                     cdf_options=MEMORY_POLICY)  # fmt: skip
    job.submit()
    widget = _widget(job)
    # three reasons, each with its own usage: one cause
    [group] = wait_until(lambda: widget.counts.get("held") == 3 and widget.held, 180,
                         "the three subjobs held for memory, in one group")  # fmt: skip
    assert group["count"] == 3 and group["subjobs"] == [0, 1, 2], group
    assert "Last measured usage" in group["reason"]
    fix = group["fix"]
    assert fix["kind"] == "memory" and fix["request_mb"] == 100
    # the larger of the reasons' figures and HTCondor's own measurements of the runs
    assert fix["peak_mb"] >= 400, fix
    assert fix["peak_from"] in ("the hold reason", "HTCondor's measurements"), fix
    assert fix["suggested_mb"] >= fix["peak_mb"] * 1.2, fix  # the largest, with a margin
    refused = widget.run_action("resubmit_more_memory", group=group, memory="lots")
    assert refused["state"] == "refused" and widget.cells == "hhh"  # nothing was touched

    done = widget.run_action("resubmit_more_memory", group=group, memory=fix["suggested_mb"])
    assert done["state"] == "done" and "3 subjobs" in done["message"], done["message"]
    wait_until(lambda: "h" not in widget.cells, 60, "the three back in the queue")
    clusters = {sj.backend.id.split(".")[0] for sj in job.subjobs}
    assert [m for c in clusters for m in _in_queue_asking(c)] == [fix["suggested_mb"]] * 3
    finish.touch()
    wait_until(_never_held_again(widget, lambda: widget.summary["status"] == "completed"),
               180, "the job to complete with no second hold")  # fmt: skip
    assert widget.counts == {"completed": 3} and widget.held == []
    wait_until(lambda: _never_held_in_history(job), 30, "HTCondor's history: never held again")
    # Ganga's own records: each resubmission counted (by its Condor backend, twice)
    assert all(sj.info.submit_counter > 1 for sj in job.subjobs)


def test_eight_held_are_counted_alike_everywhere_and_all_resubmitted_for_memory(
    condor_ganga: Any, tmp_path: Path
) -> None:
    finish = tmp_path / "finish"
    args = [[str(finish), str(120 + 30 * i)] for i in range(8)]  # eight reasons, eight texts
    job = condor_job(condor_ganga, tmp_path, HOLDS_MEMORY, args=args, cdf_options=MEMORY_POLICY)
    job.submit()
    widget = _widget(job)
    wait_until(lambda: widget.counts.get("held") == 8, 240, "all eight held for memory")
    assert widget.summary["status"] == "held"
    assert [g["count"] for g in widget.held] == [8]  # the panel counts what the header does
    assert set(widget._model.held_in("memory")) == set(range(8))  # each can be acted on
    assert widget.can["release_held"]

    peak = widget.held[0]["fix"]["peak_mb"]
    done = widget.run_action("resubmit_more_memory", group="memory", memory=800)
    assert done["state"] == "done" and "8 subjobs" in done["message"], done
    assert peak >= 330
    finish.touch()
    wait_until(_never_held_again(widget, lambda: widget.summary["status"] == "completed"),
               240, "the eight to complete")  # fmt: skip
    assert widget.counts == {"completed": 8}


def test_a_job_without_subjobs_held_for_memory_gets_the_same_triage(
    condor_ganga: Any, tmp_path: Path
) -> None:
    finish = tmp_path / "finish"
    job = condor_job(condor_ganga, tmp_path, HOLDS_MEMORY, cdf_options=MEMORY_POLICY)
    job.application.args = [*job.application.args, str(finish), "300"]
    job.submit()
    widget = _widget(job)
    [group] = wait_until(lambda: widget.held, 120, "the job held for memory")
    assert widget.summary["status"] == "held" and group["subjobs"] == []
    assert group["fix"]["kind"] == "memory" and group["fix"]["peak_mb"] >= 300
    finish.touch()
    done = widget.run_action("resubmit_more_memory", group=group,
                             memory=group["fix"]["suggested_mb"])  # fmt: skip
    assert done["state"] == "done", done
    wait_until(_never_held_again(widget, lambda: widget.summary["status"] == "completed"),
               120, "the job to complete")  # fmt: skip
    wait_until(lambda: _never_held_in_history(job), 30, "HTCondor's history: never held again")


# CPU-bound for sys.argv[2] seconds with sys.argv[1] MB held.
VARIED = (
    "import sys, time\nblock = bytearray(int(sys.argv[1]) * 2**20)\n"
    "for i in range(0, len(block), 4096):\n    block[i] = 1\n"
    "end = time.time() + float(sys.argv[2])\nwhile time.time() < end:\n    pass\n"
)


def _history(cluster: str, attributes: list[str]) -> list[list[str]]:
    said = condor_answer("condor_history", cluster, "-af", *attributes) or ""
    return [line.split() for line in said.splitlines() if line.strip()]


def test_the_statistics_of_a_20_subjob_condor_job_match_htcondors_history(
    condor_ganga: Any, tmp_path: Path
) -> None:
    import numpy as np

    # Each busy for 2 to 4 s: a wall time under a second is 0 or 1 by which side of a
    # second its ends fall, in the event log and the history independently, and a wall of
    # 0 has no CPU efficiency; so one subjob could count in one and not in the other.
    args = [[str(20 + 7 * i), str(2 + 0.5 * (i % 5))] for i in range(20)]
    job = condor_job(condor_ganga, tmp_path, VARIED, args=args,
                     cdf_options={"request_memory": "1000"})  # fmt: skip
    job.submit()
    widget = _widget(job)
    widget.statistics()  # the panel opened before anything ended: followed change by change
    wait_until(lambda: widget.summary["status"] == "completed", 300, "the job to complete")
    stats = wait_until(lambda: (widget.stats.get("runtime") or {}).get("count") == 20
                       and widget.stats, 60, "20 runtimes in the statistics")  # fmt: skip
    # the EXECUTE event is when the job began executing (JobCurrentStartDate: the shadow's
    # start, seconds earlier under load)
    attributes = ["ProcId", "QDate", "JobCurrentStartExecutingDate", "CompletionDate",
                  "MemoryUsage", "RequestMemory", "LastRemoteHost", "RemoteUserCpu",
                  "RemoteSysCpu"]  # fmt: skip
    cluster = _cluster(job)
    lines = wait_until(lambda: len(h := _history(cluster, attributes)) == 20 and h, 60,
                       "HTCondor's history of the 20 subjobs")  # fmt: skip
    rows = [[*map(float, x[1:6]), x[6]] for x in lines]
    runtimes = [end - start for _, start, end, *_ in rows]
    waits = [start - queued for queued, start, *_ in rows]
    peaks = [r[3] for r in rows]
    runtime, queue, memory = stats["runtime"], stats["queue"], stats["memory"]
    # Within rounding: times are whole seconds in both; the history's MemoryUsage is the
    # peak rounded up to 25,000 KB steps, the event log's (ours) is not.
    for ours, theirs, rounding in ((runtime, runtimes, 1), (queue, waits, 1),
                                   (memory, peaks, 25)):  # fmt: skip
        assert ours["count"] == 20
        assert ours["median"] == pytest.approx(np.quantile(theirs, 0.5), abs=rounding)
        assert ours["p95"] == pytest.approx(np.quantile(theirs, 0.95), abs=rounding)
        assert ours["max"] == pytest.approx(max(theirs), abs=rounding)
    assert memory["request_mb"] == 1000 and {r[4] for r in rows} == {1000.0}
    advice = memory["advice"]
    assert advice is not None and advice["lower"] and advice["suggested_mb"] < 1000
    hosts = {r[5].split("@")[-1] for r in rows}
    assert stats["hosts"]["count"] == len(hosts)
    assert sum(h["subjobs"] for h in stats["hosts"]["top"]) == 20
    assert sum(stats["throughput"]["counts"]) == 20
    # CPU time over wall time: the CPU seconds are the starter's in both; a wall time may
    # differ by a second (the event log's times against the history's dates), so ours lies
    # between the history's figures with every wall a second longer and a second shorter.
    cpu = [float(x[7]) + float(x[8]) for x in lines]
    efficiency = stats["cpu_efficiency"]
    assert min(runtimes) >= 2 and efficiency["count"] == 20
    for q, key in ((0.5, "median"), (0.95, "p95")):
        low = np.quantile([c / (w + 1) for c, w in zip(cpu, runtimes, strict=True)], q)
        high = np.quantile([c / (w - 1) for c, w in zip(cpu, runtimes, strict=True)], q)
        assert low - 1e-9 <= efficiency[key] <= high + 1e-9, (key, efficiency, cpu, runtimes)


def _pool_daemons(*names: str) -> list[int]:
    """Processes of the test pool (their root is its chroot) with these names."""
    root = os.path.realpath(os.environ.get("GW_CONDOR_ROOT", "/opt/ganga-widgets-condor"))
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/comm") as f:
                name = f.read().strip()
            if name in names and os.readlink(f"/proc/{pid}/root") == root:
                found.append(int(pid))
        except OSError:
            continue
    return found


def test_a_job_whose_execute_side_died_shows_disconnected_and_when_htcondor_gives_up(
    condor_ganga: Any, tmp_path: Path
) -> None:
    import signal

    job, widget = _running(condor_ganga, tmp_path, 1)
    cluster = _cluster(job)
    # The execute side stays dead while the view is read: its master, which would start a
    # new startd within seconds, is stopped first. (Under load the shadow once noticed the
    # loss only after the new startd was up: "job not found", evicted, running again, and
    # the disconnection was over before the view could be read.)
    masters = _pool_daemons("condor_master")
    assert masters, "no condor_master of the test pool found"
    try:
        for pid in masters:
            os.kill(pid, signal.SIGSTOP)
        for pid in _pool_daemons("condor_startd", "condor_starter"):  # the execute side
            os.kill(pid, signal.SIGKILL)
        condor = wait_until(
            lambda: _condor(widget).get("gives_up_at") and _condor(widget), 60,
            "the view to say disconnected, and until when HTCondor tries",
            shown=lambda: _condor(widget),
        )  # fmt: skip
        assert condor["gives_up_at"] == condor["disconnected_at"] + condor["lease_s"]
        assert [what for _, what in condor["history"]] == ["disconnected"]
        assert widget.cells == "r", "HTCondor still calls it running: so does the view"
    finally:
        for pid in masters:  # it starts the execute side again
            os.kill(pid, signal.SIGCONT)
        # Its shadow would try to reconnect for the whole lease (40 min): removed, then
        # taken out of the queue at once; the job's process, left by its starter, ends.
        (tmp_path / "finish").touch()
        condor_answer("condor_rm", cluster)
        wait_until(lambda: condor_answer("condor_q", cluster, "-af", "JobStatus") in ("", "3\n"),
                   60, "the job marked removed")  # fmt: skip
        condor_answer("condor_rm", "-forcex", cluster)
    wait_until(pool_is_free, 120, "the execute side back (its master restarts it), free")
