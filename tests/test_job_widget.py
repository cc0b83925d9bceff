"""JobWidget against real Ganga jobs on the Local backend (each test: own process, gangadir)."""

from __future__ import annotations

import datetime
import gc
import os
import signal
import subprocess
import sys
import threading
import time
import weakref
from pathlib import Path
from typing import Any

import pytest
from conditions import pid_alive, wait_until
from ganga_jobs import BARE_GANGA, UNTIL_FLAG, python_job
from processes import FILL, on_a_small_disk

pytestmark = pytest.mark.ganga

FAIL_IF_ONE = (
    "import sys, time; time.sleep(1.5); "
    "print('stderr of', sys.argv[1], file=sys.stderr); "
    "sys.exit(3 if sys.argv[1] == '1' else 0)"
)


def _widget(job: Any) -> Any:
    from ganga_widgets import JobWidget

    return JobWidget(job)


def _record(widget: Any) -> list[tuple[str, str]]:
    """(job status, subjob codes) each time the widget's traits change, from any thread."""
    seen: list[tuple[str, str]] = []
    widget.observe(
        lambda _: seen.append((widget.summary.get("status"), widget.cells)),
        names=["summary", "cells"],
    )
    return seen


def test_a_job_with_a_failing_subjob_goes_through_the_real_states(ganga: Any) -> None:
    job = python_job(ganga, FAIL_IF_ONE, args=[["0"], ["1"], ["2"]], name="three")
    job.submit()
    widget = _widget(job)
    seen = _record(widget)

    # The test thread only waits: updates come from Ganga's monitor via the dispatcher.
    wait_until(lambda: widget.summary["status"] == "failed", 60, "the job to end as failed")

    assert widget.counts == {"completed": 2, "failed": 1}
    assert widget.cells == "cfc"
    codes_seen = "".join(cells for _, cells in seen)
    assert "r" in codes_seen, f"never saw a subjob running: {seen}"
    assert [s for s, _ in seen].count("running") >= 1, seen
    [failure] = widget.failures
    assert failure["subjob"] == 1 and failure["exit_code"] == 3
    assert failure["tail"] == "stderr of 1"

    widget._handle_custom_msg({"type": "select", "subjob": 1}, [])
    assert widget.selected == 1
    assert widget.detail["fqid"] == f"{job.id}.1"
    assert widget.detail["status"] == "failed" and widget.detail["exit_code"] == 3
    assert widget.detail["stderr"]["text"] == "stderr of 1"
    assert widget.can == {"kill": False, "resubmit": True, "release_held": False}
    times = widget.summary["times"]
    assert times["submitted"] <= times["started"] <= times["finished"]


def test_stderr_of_a_running_job_is_tailed_live(ganga: Any) -> None:
    code = (
        "import sys, time\n"
        "for i in range(600):\n"
        "    print('progress', i, file=sys.stderr, flush=True); time.sleep(0.1)\n"
    )
    job = python_job(ganga, code)
    job.submit()
    widget = _widget(job)
    wait_until(lambda: widget.detail.get("status") == "running", 30, "the job to run")
    first = wait_until(
        lambda: widget.detail["stderr"]["text"].count("\n") >= 3 and widget.detail["stderr"],
        10,
        "stderr lines while running",
    )
    assert first["source"] == "live"
    later = wait_until(
        lambda: widget.detail["stderr"]["size"] > first["size"] + 50 and widget.detail["stderr"],
        10,
        "stderr to grow while the kernel idles",
    )
    assert later["text"].splitlines()[-1].startswith("progress ")
    widget.run_action("kill")


def _running_pids(marker_dir: Path, count: int) -> list[int]:
    files = list(marker_dir.glob("*.pid"))
    return [int(f.read_text()) for f in files] if len(files) >= count else []


SLEEPER = (
    "import os, sys, time; "
    "open(os.path.join(sys.argv[1], sys.argv[2] + '.pid'), 'w').write(str(os.getpid())); "
    "time.sleep(120)"
)


def test_kill_from_the_widget_kills_the_real_processes(ganga: Any, tmp_path: Path) -> None:
    job = python_job(ganga, SLEEPER, args=[[str(tmp_path), str(i)] for i in range(4)])
    job.submit()
    widget = _widget(job)
    wait_until(lambda: widget.counts.get("running", 0) == 2, 30, "two subjobs running")
    pids = wait_until(lambda: _running_pids(tmp_path, 2), 60, "the running subjobs' PIDs")
    from ganga_widgets.ganga_adapter import objects

    runner = objects.implementation(job).backend.wrapper_pid  # the batch runner of the rest
    assert all(pid_alive(p) for p in pids + runner)

    widget._handle_custom_msg({"type": "action", "name": "kill", "seq": 41}, [])

    assert widget.action["seq"] == 41 and widget.action["state"] == "done", widget.action
    wait_until(lambda: not any(pid_alive(p) for p in pids + runner), 60, "processes to be gone")
    assert widget.summary["status"] == "killed"
    assert widget.counts == {"killed": 4}
    assert widget.can["kill"] is False


def test_kill_soon_after_submit_leaves_no_orphan_processes(tmp_path: Path) -> None:
    """Ganga 8.7.12 marks a just-started Local subjob killed without killing it."""
    import ganga_widgets
    from ganga_widgets import session

    # A long poll period holds the window open in which Ganga has not seen the start yet.
    ganga_widgets.start(gangadir=str(tmp_path / "gangadir"), poll={"Local": 60})
    ganga = session.gpi()
    marks = tmp_path / "marks"
    marks.mkdir()
    job = python_job(ganga, SLEEPER, args=[[str(marks), str(i)] for i in range(2)])
    job.submit()
    widget = _widget(job)
    pids = wait_until(lambda: _running_pids(marks, 2), 60, "both subjobs to start")
    assert widget.cells == "ss", "precondition: Ganga has not noticed the subjobs running"

    outcome = widget.run_action("kill")

    assert outcome["state"] == "done"
    wait_until(lambda: not any(pid_alive(p) for p in pids), 60, f"PIDs {pids} to be gone")


def test_kill_of_one_subjob_and_refusals_say_why(ganga: Any, tmp_path: Path) -> None:
    job = python_job(ganga, SLEEPER, args=[[str(tmp_path), str(i)] for i in range(2)])
    job.submit()
    widget = _widget(job)
    wait_until(lambda: widget.cells == "rr", 30, "both subjobs running")
    pids = wait_until(lambda: _running_pids(tmp_path, 2), 60, "PIDs")
    by_subjob = {int(p.stem): int(p.read_text()) for p in tmp_path.glob("*.pid")}

    outcome = widget.run_action("kill_subjob", subjob=1)
    assert outcome["state"] == "done", outcome
    wait_until(lambda: not pid_alive(by_subjob[1]), 60, "subjob 1's process to be gone")
    assert pid_alive(by_subjob[0]), "killing subjob 1 must not touch subjob 0"
    assert widget.cells == "rk"

    again = widget.run_action("kill_subjob", subjob=1)
    assert again["state"] == "refused" and "already killed" in again["message"]
    widget.run_action("kill")
    wait_until(lambda: not any(pid_alive(p) for p in pids), 60, "all processes gone")
    done = widget.run_action("kill")
    assert done["state"] == "refused" and "nothing to kill" in done["message"], done


def test_resubmit_failed_subjobs_runs_them_again_and_keeps_the_old_output(
    ganga: Any, tmp_path: Path
) -> None:
    flag = tmp_path / "fixed"
    code = (
        "import os, sys; print('attempt for', sys.argv[1], file=sys.stderr); "
        f"sys.exit(0 if sys.argv[1] != '1' or os.path.exists({str(flag)!r}) else 5)"
    )
    job = python_job(ganga, code, args=[["0"], ["1"], ["2"]])
    job.submit()
    widget = _widget(job)
    wait_until(lambda: widget.summary["status"] == "failed", 60, "the first attempt to fail")
    assert widget.counts == {"completed": 2, "failed": 1}
    old_stderr = Path(widget.failures[0]["fqid"] and job.subjobs[1].outputdir) / "stderr"
    assert old_stderr.read_text() == "attempt for 1\n"

    before = dict(widget.summary["times"])
    first_start = min(_stamp(sj, "running") for sj in job.subjobs)
    assert before["submitted"] == _stamp(job, "submitted")  # Ganga's own records
    assert before["started"] == first_start and before["resubmitted"] is None
    assert before["finished"] == _stamp(job, "final")

    flag.write_text("the user fixed the input")
    widget._handle_custom_msg({"type": "action", "name": "resubmit", "seq": 7}, [])

    assert widget.action["state"] == "done", widget.action
    wait_until(lambda: widget.summary["status"] == "completed", 60, "the rerun to pass")
    assert widget.counts == {"completed": 3} and widget.failures == []
    # after: first submitted as before, when it was resubmitted, its first start, and the
    # end of the rerun
    after = widget.summary["times"]
    assert after["submitted"] == before["submitted"]
    assert after["resubmitted"] == _stamp(job, "resubmitted") > before["finished"]
    assert after["started"] == first_start
    assert after["finished"] == _stamp(job, "final") > after["resubmitted"]
    kept = Path(job.subjobs[1].outputdir).parent / "previous-attempts" / "1" / "stderr"
    assert kept.read_text() == "attempt for 1\n", "the failed attempt's stderr was lost"
    nothing = widget.run_action("resubmit")
    assert nothing["state"] == "refused" and "no failed subjobs" in nothing["message"]


def _stamp(job: Any, key: str) -> float:
    """A time Ganga recorded of a job (its own stamps are UTC), in epoch seconds."""
    return job.time.timestamps[key].replace(tzinfo=datetime.UTC).timestamp()


def test_a_split_job_started_when_its_first_subjob_did_and_a_job_resubmitted_says_both(
    ganga: Any, tmp_path: Path
) -> None:
    flag = tmp_path / "finish"
    job = python_job(ganga, UNTIL_FLAG, args=[[str(flag)]] * 3)  # two run, one waits
    job.submit()
    widget = _widget(job)
    wait_until(lambda: widget.cells.count("r") == 2, 60, "two subjobs running")
    assert job.status == "submitted"  # Ganga's master: one subjob is still queued
    assert widget.summary["status"] == "running"
    started = [_stamp(sj, "running") for sj in job.subjobs if sj.status == "running"]
    assert widget.summary["times"]["started"] == min(started)
    flag.touch()
    wait_until(lambda: widget.summary["status"] == "completed", 60, "the job to complete")

    # a job without subjobs, killed and resubmitted: this attempt's start, the first submission
    flag.unlink()
    single = python_job(ganga, UNTIL_FLAG, args=None)
    single.application.args = [*single.application.args, str(flag)]
    single.submit()
    view = _widget(single)
    wait_until(lambda: view.summary["status"] == "running", 60, "the job to run")
    first = dict(view.summary["times"])
    single.kill()
    single.resubmit()
    wait_until(lambda: view.summary["times"]["started"] not in (None, first["started"]), 60,
               "the second attempt to start")  # fmt: skip
    again = view.summary["times"]
    assert again["submitted"] == first["submitted"] < _stamp(single, "submitted")
    assert again["started"] == _stamp(single, "running") > again["resubmitted"]
    flag.touch()
    wait_until(lambda: view.summary["status"] == "completed", 60, "the rerun to complete")


def test_a_closed_widget_gets_no_updates_and_is_not_kept_alive(ganga: Any, tmp_path: Path) -> None:
    from ganga_widgets.dispatcher import dispatcher

    flag = tmp_path / "finish"
    job = python_job(ganga, UNTIL_FLAG, args=[[str(flag)], [str(flag)]])
    job.submit()
    widget = _widget(job)
    open_widget = _widget(job)
    assert dispatcher().listener_count() == 2
    # both running, and waiting: nothing changes until the flag
    wait_until(lambda: widget.cells == open_widget.cells == "rr", 60, "both shown running")
    frozen = widget.cells

    widget.close()
    assert dispatcher().listener_count() == 1
    flag.touch()
    wait_until(lambda: open_widget.cells == "cc", 60, "the job to complete")
    assert widget.cells == frozen, "a closed widget was still updated"

    ref = weakref.ref(widget)
    widget = None  # the last reference (the lambda above reads this variable)
    gc.collect()
    assert ref() is None, "something still holds the closed widget"
    open_widget.close()
    assert dispatcher().listener_count() == 0


def test_html_and_script_from_the_job_reach_the_view_as_plain_text(ganga: Any) -> None:
    name = '<img src=x onerror="alert(1)"><b>bold</b>'
    evil = "<script>alert('stderr')</script>&amp;"
    job = python_job(ganga, f"import sys; print({evil!r}, file=sys.stderr); sys.exit(1)")
    job.name = name
    job.submit()
    widget = _widget(job)
    wait_until(lambda: widget.summary["status"] == "failed", 60, "the job to fail")
    # Unchanged text: the view sets it with textContent (checked in the browser tests).
    assert widget.summary["name"] == name
    assert widget.detail["stderr"]["text"] == evil
    assert name in repr(widget)


def test_bad_input_is_refused_with_a_message_saying_what_is_accepted(ganga: Any) -> None:
    from ganga_widgets import JobWidget

    for bad in ("x", 3.5, None, True, [1]):
        with pytest.raises(TypeError, match=r"expected a Ganga Job .* or a job id"):
            JobWidget(bad)
    with pytest.raises(ValueError, match=r"no job with id 42 .*registry is empty"):
        JobWidget(42)
    job = ganga.Job()
    with pytest.raises(ValueError, match=rf"no job with id 42 .*known ids: {job.id}\)"):
        JobWidget(42)
    job.remove()
    with pytest.raises(ValueError, match="removed"):
        JobWidget(job)
    with pytest.raises(TypeError, match="JobTemplate"):
        JobWidget(ganga.JobTemplate())

    waiting = JobWidget(ganga.Job())
    with pytest.raises(ValueError, match=r"unknown status 'runing'; a job shows one of: new, "):
        waiting.wait("runing")
    with pytest.raises(TimeoutError, match=r"job \d+ to be completed or .* after 0.3 s"):
        waiting.wait(timeout=0.3)  # a new job never ends by itself


def test_a_job_whose_output_dir_is_gone_shows_that(ganga: Any, tmp_path: Path) -> None:
    job = python_job(ganga, "print('hi')")
    job.submit()
    wait_until(lambda: job.status == "completed", 60, "the job to complete")
    outputdir = Path(job.outputdir)
    outputdir.rename(tmp_path / "moved-away")

    widget = _widget(job)

    assert widget.summary["status"] == "completed"
    assert "output directory is missing" in widget.notice and str(outputdir) in widget.notice
    assert "output directory missing" in widget.detail["stderr"]["error"]
    # Neither the view's reads nor the monitoring guards' make it again: Ganga's Condor
    # resubmission deletes a job's output directory, then makes it, and failed
    # (FileExistsError) when the guard's read of the event log made it in between.
    from ganga_widgets.ganga_adapter import condor_guards, kills, objects

    assert not condor_guards._condor_log_says_removed(objects.implementation(job))
    assert not kills._exit_code_written(objects.implementation(job))
    assert not outputdir.exists()


def test_monitoring_disabled_and_enabled_again_still_updates_the_widget(
    ganga: Any, tmp_path: Path
) -> None:
    """Ganga 8.7.12 never polls again a backend that was active when monitoring was
    disabled for longer than one poll period."""
    flag = tmp_path / "finish"
    job = python_job(ganga, UNTIL_FLAG, args=[[str(flag)]])
    job.submit()
    widget = _widget(job)
    wait_until(lambda: widget.summary["status"] == "running", 60, "the job to run")
    ganga.disableMonitoring()
    flag.touch()
    status_file = Path(job.subjobs[0].outputdir) / "__jobstatus__"
    wait_until(
        lambda: "EXITCODE" in (status_file.read_text() if status_file.exists() else ""),
        60,
        "the job's process to end while monitoring is off",
    )
    assert widget.summary["status"] == "running"
    ganga.enableMonitoring()
    wait_until(lambda: widget.summary["status"] == "completed", 60, "the job to be seen completed")


def test_a_finished_job_after_a_restart_shows_its_final_state_at_once(tmp_path: Path) -> None:
    gangadir = tmp_path / "gangadir"
    script = f"""
import sys, time
sys.path.insert(0, {str(Path(__file__).parent)!r})
import ganga_widgets
from ganga_widgets import session
from ganga_jobs import python_job
ganga_widgets.start(gangadir={str(gangadir)!r})
ganga = session.gpi()
code = "import sys; print('done', sys.argv[1], file=sys.stderr)"
job = python_job(ganga, code, args=[['a'], ['b']])
job.submit()
deadline = time.time() + 60
while job.status != 'completed' and time.time() < deadline:
    time.sleep(0.1)
print('STATUS', job.id, job.status)
"""
    first_kernel = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert "STATUS 0 completed" in first_kernel.stdout, first_kernel.stdout + first_kernel.stderr

    import ganga_widgets
    from ganga_widgets import JobWidget, session

    ganga_widgets.start(gangadir=str(gangadir))
    widget = JobWidget(session.gpi().jobs(0))  # no waiting: the state is on disk

    assert widget.summary["status"] == "completed"
    assert widget.counts == {"completed": 2}
    assert widget.detail["stderr"]["text"] in ("done a", "done b")


def test_a_burst_of_status_changes_is_coalesced_into_few_updates(ganga: Any) -> None:
    """1,000 subjob status changes through Ganga's own updateStatus reach the widget in a
    bounded number of trait syncs, and the final state shown is exact."""
    from ganga_widgets.ganga_adapter import objects

    job = python_job(ganga, "import time; time.sleep(60)", args=[[str(i)] for i in range(1000)])
    job.submit()
    widget = _widget(job)
    assert widget.run_action("kill")["state"] == "done"  # the subjobs only need to exist
    assert widget.counts == {"killed": 1000}
    syncs: list[float] = []
    widget.observe(lambda _: syncs.append(time.monotonic()), names=["cells"])
    impl = objects.implementation(job)

    start = time.monotonic()
    for sj in impl.subjobs:  # what a monitoring thread does, 1000 times in a row
        sj.updateStatus("failed", update_master=False)
    wait_until(lambda: widget.counts == {"failed": 1000}, 60, "all 1000 changes shown")
    elapsed = time.monotonic() - start

    assert widget.cells == "f" * 1000
    assert len(syncs) <= elapsed / 0.1 + 2, f"{len(syncs)} syncs in {elapsed:.2f} s"


def test_what_ganga_logs_about_a_job_is_in_its_widget_and_in_the_log_file(ganga: Any) -> None:
    """Ganga's own messages about a job (its submission, its status) are kept with the job:
    the widget's "Ganga log" panel and <gangadir>/ganga_widgets/ganga.log have them."""
    from ganga_widgets import session

    job = python_job(ganga, "print('hi')", args=[["0"], ["1"]], name="logged")
    job.submit()
    widget = _widget(job)
    wait_until(lambda: widget.summary["status"] == "completed", 60, "the job to complete")
    lines = wait_until(
        lambda: [line for line in widget.ganga_log if f"job {job.id} " in line], 60,
        "Ganga's lines about the job in the widget",
    )  # fmt: skip
    assert any(f"submitting job {job.id}" in line for line in widget.ganga_log), widget.ganga_log
    assert any('status changed to "completed"' in line for line in lines), lines
    other = python_job(ganga, "print('other')", name="other")
    other.submit()
    assert not any(f"job {other.id} " in line for line in widget.ganga_log), "another job's"
    current = session.current()
    assert current is not None
    written = (Path(current.gangadir) / "ganga_widgets" / "ganga.log").read_text()
    assert f"submitting job {job.id}" in written


def test_a_local_job_killed_from_outside_is_marked_failed_and_says_why(
    ganga: Any, tmp_path: Path
) -> None:
    from ganga_widgets.ganga_adapter import ganga_log, kills, objects

    job = python_job(ganga, SLEEPER, args=[[str(tmp_path), "0"]])
    job.submit()
    widget = _widget(job)
    [program] = wait_until(lambda: _running_pids(tmp_path, 1), 30, "the program's PID")
    wait_until(lambda: widget.cells == "r", 30, "Ganga to see the subjob running")
    root = kills._job_root(objects.implementation(job).subjobs[0])
    scripts = kills._pids_running_scripts_under(root)
    assert scripts, "precondition: the subjob's job script runs"

    for pid in [*scripts, program]:  # kill -9, from outside Ganga: no exit code is written
        os.kill(pid, signal.SIGKILL)

    wait_until(lambda: widget.cells == "f", 30, "the subjob to be marked failed")
    wait_until(lambda: widget.summary["status"] == "failed", 30, "the job to be failed")
    said = [line for line in ganga_log.job_lines.lines(job.id) if "without an exit code" in line]
    assert said and f"job {job.id}.0:" in said[0], ganga_log.job_lines.lines(job.id)


def test_a_kill_is_not_taken_for_a_kill_from_outside(
    ganga: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ganga's kill ends every subjob's processes before it marks any "killed". A monitoring
    pass in between (a loaded machine, a large job) must not mark them failed as killed
    from outside: the user who clicked Kill sees every subjob, and the job, "killed"."""
    from GangaCore.Lib.Localhost.Localhost import Localhost

    from ganga_widgets.ganga_adapter import ganga_log, kills, objects

    job = python_job(ganga, SLEEPER, args=[[str(tmp_path), str(i)] for i in range(2)])
    job.submit()
    widget = _widget(job)
    wait_until(lambda: _running_pids(tmp_path, 2), 30, "both programs' PIDs")
    wait_until(lambda: widget.cells == "rr", 30, "Ganga to see both subjobs running")
    subjobs = list(objects.implementation(job).subjobs)
    passes: list[list[str]] = []
    real_kill = Localhost.kill

    def kill_then_monitor(backend: Any) -> Any:  # the real kill, then a real monitoring pass
        killed = real_kill(backend)
        passes.append([sj.status for sj in subjobs])
        kills.fail_local_jobs_left_without_processes(subjobs)
        return killed

    monkeypatch.setattr(Localhost, "kill", kill_then_monitor)
    assert widget.run_action("kill")["state"] == "done"

    # the master's runner, then each subjob: a pass after each kill, the first seeing both
    # subjobs "running" as their processes end
    assert len(passes) == 3 and passes[0] == ["running", "running"], passes
    assert [sj.status for sj in subjobs] == ["killed", "killed"]
    wait_until(lambda: widget.summary["status"] == "killed", 30, "the job shown killed")
    assert widget.counts == {"killed": 2}
    said = [line for line in ganga_log.job_lines.lines(job.id) if "without an exit code" in line]
    assert not said, said


OWNER = """
import json, os, sys, time
import ganga_widgets
from ganga_widgets import session

ganga_widgets.start(gangadir=sys.argv[1], console=False)
flag = sys.argv[2]
job = session.gpi().Job(
    application=session.gpi().Executable(exe=sys.executable, args=["-c", sys.argv[3], flag]),
    backend=session.gpi().Local())
job.submit()
while job.status != "running":
    time.sleep(0.2)
print("RUNNING", job.id, job.backend.id, flush=True)
deadline = time.monotonic() + 300
while job.status not in ("completed", "failed", "killed") and time.monotonic() < deadline:
    time.sleep(0.2)
print("RESULT " + json.dumps({"status": job.status}), flush=True)
"""


@pytest.mark.timeout(420)
def test_a_second_session_on_the_gangadir_refuses_actions_and_leaves_the_owners_job(
    tmp_path: Path,
) -> None:
    import ganga_widgets
    from ganga_widgets import session

    gangadir, flag = tmp_path / "gangadir", tmp_path / "finish"
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER, str(gangadir), str(flag), UNTIL_FLAG],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "HOME": str(tmp_path)},
    )  # fmt: skip
    try:
        assert owner.stdout is not None
        line = owner.stdout.readline()
        while line and not line.startswith("RUNNING"):
            line = owner.stdout.readline()
        assert line, "the owner's job never ran"
        job_id, program = (int(x) for x in line.split()[1:])

        assert ganga_widgets.start(gangadir=str(gangadir), console=False).read_only
        widget = _widget(session.gpi().jobs(job_id))
        for action in ("kill", "resubmit"):
            outcome = widget.run_action(action)
            assert outcome["state"] == "refused", outcome
            assert "Read-only here" in outcome["message"], outcome
        assert pid_alive(program), "a refused kill must touch nothing"

        flag.touch()  # the owner's job ends as it would have: completed, seen by its owner
        rest, _ = owner.communicate(timeout=300)
        assert 'RESULT {"status": "completed"}' in rest, rest[-3000:]
    finally:
        flag.touch()
        if owner.poll() is None:
            owner.kill()


def test_directories_deleted_while_the_job_runs_are_said_and_the_job_ends_failed(
    ganga: Any, tmp_path: Path
) -> None:
    import shutil

    from ganga_widgets.ganga_adapter import objects

    flag = tmp_path / "finish"
    job = python_job(ganga, UNTIL_FLAG, args=[[str(flag)]])
    job.submit()
    widget = _widget(job)
    wait_until(lambda: widget.cells == "r", 60, "the subjob running")
    subjob = objects.implementation(job).subjobs[0]
    outputdir, workdir = Path(subjob.outputdir), Path(subjob.backend.workdir)
    assert outputdir.is_dir() and workdir.is_dir(), "precondition"

    shutil.rmtree(outputdir)  # by the user, from a terminal, while it runs
    shutil.rmtree(workdir)

    widget._handle_custom_msg({"type": "select", "subjob": 0}, [])
    wait_until(
        lambda: "missing" in (widget.detail.get("stderr") or {}).get("error", ""),
        60,
        "the view to say the subjob's files are gone",
    )
    flag.touch()  # its process ends, with nowhere to write its exit code
    wait_until(lambda: widget.cells == "f", 60, "the subjob to end failed")
    later = python_job(ganga, "print('fine')")  # and the session goes on
    later.submit()
    wait_until(lambda: later.status == "completed", 60, "another job to complete")


def test_fifty_widgets_on_one_job_all_follow_it_and_leave_nothing_behind_once_closed(
    ganga: Any, tmp_path: Path
) -> None:
    import threading

    from ganga_widgets.dispatcher import dispatcher

    flag = tmp_path / "finish"
    job = python_job(ganga, UNTIL_FLAG, args=[[str(flag)]] * 3)
    job.submit()
    first = _widget(job)
    wait_until(lambda: first.cells.count("r") == 2, 60, "two subjobs running")
    threads = threading.active_count()
    widgets = [first] + [_widget(job) for _ in range(49)]
    assert dispatcher().listener_count() == 50
    assert threading.active_count() <= threads, "a widget started a thread of its own"

    flag.touch()
    for widget in widgets:  # every one follows the job to its end
        wait_until(lambda w=widget: w.summary["status"] == "completed", 60, "completed")
        assert widget.counts == {"completed": 3}
    refs = [weakref.ref(w) for w in widgets]
    for widget in widgets:
        widget.close()
    widgets = first = widget = None  # type: ignore[assignment]
    assert dispatcher().listener_count() == 0

    def held() -> int:
        gc.collect()
        return sum(r() is not None for r in refs)

    # A flush under way as they closed (a tick re-reading each one's detail, say) holds them
    # until it ends, a call each that returns at once for a closed widget; after it, nothing.
    wait_until(lambda: held() == 0, 30, "closed widgets to be freed", shown=held)


def test_a_closed_widget_collected_while_the_dispatcher_holds_its_lock_hangs_nothing(
    ganga: Any,
) -> None:
    from ganga_widgets.dispatcher import dispatcher

    job = python_job(ganga, "print('done')")
    job.submit()
    open_widget = _widget(job)
    open_widget.wait("completed", timeout=60)
    closed = _widget(job)
    closed.close()
    closed.close()  # twice: harmless
    closed.cycle = closed  # garbage only the collector frees, at some allocation
    del closed
    # The collector runs at any allocation of any thread: here, certainly, at one made while
    # the dispatcher holds its lock (a new subscription, a flush). Made to happen by taking
    # the lock: the moment cannot be chosen from outside.
    collected = threading.Event()

    def collect_under_the_lock() -> None:
        with dispatcher()._lock:
            gc.collect()
        collected.set()

    threading.Thread(target=collect_under_the_lock, daemon=True).start()
    assert collected.wait(30), "collecting a closed widget deadlocked the dispatcher"
    later_widget = _widget(job)  # and widgets go on being made and updated
    assert later_widget.summary["status"] == "completed"
    assert dispatcher().listener_count() == 2
    later_widget.close()
    open_widget.close()


# A kernel on a gangadir that first fills up, then has its repository (where Ganga saves job
# states) mounted read-only, each while a job ends; then Ganga as it comes loads the gangadir.
REFUSED_WRITES = (
    FILL
    + """
import glob, json, os, subprocess, sys, time
import ganga  # noqa: F401  puts GangaCore on the path
from GangaCore.Utility.Config import setConfigOption
import ganga_widgets
from ganga_widgets import JobWidget, session

gangadir = sys.argv[1]
flags = os.path.dirname(gangadir)
setConfigOption("Registry", "AutoFlusherWaitTime", 1)  # Ganga saves every second, not 30
ganga_widgets.start(gangadir=gangadir, console=False)
gpi = session.gpi()
seen = {}

def until(what, condition, widget):
    deadline = time.monotonic() + 60
    while not condition():
        if time.monotonic() > deadline:
            shown = (widget.summary["status"], widget.notice, widget.ganga_log[-8:])
            sys.exit(f"after 60 s still waiting for {what}; shown: {shown}; seen: {seen}")
        time.sleep(0.05)

# the job marks (outside the small disk) that it runs: its wrapper has written its files
STARTED_THEN_WAITING = "import sys\\nopen(sys.argv[2], 'w').close()\\n" + UNTIL_FLAG

def refused(name, start, end):
    flag, started = os.path.join(flags, name), os.path.join(flags, name + "-started")
    job = gpi.Job(name=name, application=gpi.Executable(
        exe=sys.executable, args=["-c", STARTED_THEN_WAITING, flag, started]))
    job.submit()
    widget = JobWidget(job)
    until(name + ": running", lambda: os.path.exists(started), widget)
    start()
    open(flag, "w").close()  # the job ends while its state cannot be saved
    until(name + ": completed, and said",
          lambda: widget.summary["status"] == "completed" and "cannot save" in widget.notice,
          widget)
    seen[name] = widget.notice
    end()
    until(name + ": the notice gone", lambda: "cannot save" not in widget.notice, widget)

filler = os.path.join(gangadir, "filler")

repository = os.path.join(gangadir, "repository")

def read_only():
    subprocess.run(["mount", "--bind", repository, repository], check=True)
    subprocess.run(["mount", "-o", "remount,bind,ro", repository], check=True)
    try:
        ganga_widgets.submit(abs, [1])
    except OSError as err:
        seen["submit"] = str(err)

refused("full", lambda: fill(filler), lambda: os.remove(filler))
refused("read-only", read_only, lambda: subprocess.run(["umount", repository], check=True))
workspaces = glob.glob(os.path.join(gangadir, "workspace", "*", "LocalXML", "*"))
seen["left"] = sorted(os.path.basename(w) for w in workspaces)
print("RESULT " + json.dumps(seen), flush=True)
""".replace("UNTIL_FLAG", repr(UNTIL_FLAG))
)

BARE_GANGA_LOADS = (
    BARE_GANGA
    + """
print("RESULT " + json.dumps({j.name: j.status for j in ganga.jobs}), flush=True)
"""
)


def test_a_full_or_read_only_gangadir_while_jobs_end_is_said_and_nothing_is_lost(
    tmp_path: Path,
) -> None:
    """Ganga's registry would stop saving (its flusher thread dead, a traceback under the
    cell) and shut its monitoring down at the first refused write."""
    (seen, loaded), stderr = on_a_small_disk(tmp_path, REFUSED_WRITES, BARE_GANGA_LOADS)
    gangadir = tmp_path / "small disk"
    for fault, why in (("full", "No space left on device"), ("read-only", "Read-only")):
        assert f"Ganga cannot save job states into the gangadir {gangadir} ({why}" in seen[fault]
        assert "saved as soon as it can write again. Free space" in seen[fault]
    assert f"cannot write into the gangadir {gangadir} (Read-only" in seen["submit"]
    assert "nothing was submitted" in seen["submit"]
    assert seen["left"] == ["0", "1"], "the refused submit left a workspace behind"
    assert loaded == {"full": "completed", "read-only": "completed"}  # saved once it could
    assert "Traceback" not in stderr, stderr[-3000:]


def test_a_widget_displayed_twice_or_closed_and_displayed_again_follows_its_job(
    ganga: Any, tmp_path: Path
) -> None:
    """ipywidgets makes a closed widget's display raise ("'NoneType' object is not
    callable"): displayed again, it is live again, with one subscription."""
    from ganga_widgets import JobTable
    from ganga_widgets.dispatcher import dispatcher

    flag = tmp_path / "finish"
    job = python_job(ganga, UNTIL_FLAG, args=[[str(flag)]])
    job.submit()
    widget, table = _widget(job), JobTable()
    first = widget._repr_mimebundle_()[0]["application/vnd.jupyter.widget-view+json"]
    again = widget._repr_mimebundle_()[0]["application/vnd.jupyter.widget-view+json"]
    assert first == again and dispatcher().listener_count() == 2  # one model, two views
    wait_until(lambda: widget.cells == "r", 60, "the job shown running")

    widget.close()
    assert table.run_action("open", [job.id])["state"] == "done"
    opened = table.detail
    table.close()
    assert dispatcher().listener_count() == 0 and opened.comm is None
    shown = widget._repr_mimebundle_()[0]["application/vnd.jupyter.widget-view+json"]
    assert shown["model_id"] != first["model_id"], "a new model: the old one's views are gone"
    assert table._repr_mimebundle_() and table.detail is None
    assert dispatcher().listener_count() == 2
    flag.touch()
    wait_until(lambda: widget.cells == "c", 60, "the widget displayed again to follow the job")
    wait_until(lambda: table.rows[0]["status"] == "completed", 60, "the table to follow it")
    widget.close()
    table.close()
    assert dispatcher().listener_count() == 0
    ours = sorted(t.name for t in threading.enumerate() if t.name.startswith("ganga_widgets"))
    assert len(ours) == len(set(ours)), f"threads of ours left behind: {ours}"  # one each


def test_run_statistics_follow_the_subjobs_as_they_end_and_match_gangas_times(
    ganga: Any, tmp_path: Path
) -> None:
    import statistics as stdlib

    from ganga_widgets.ganga_adapter import objects
    from ganga_widgets.jobdata.read import times

    flag = tmp_path / "finish"
    job = python_job(ganga, UNTIL_FLAG, args=[[str(flag)]] * 5)
    job.submit()
    widget = _widget(job)
    wait_until(lambda: "r" in widget.cells, 60, "a subjob running")
    before = widget.statistics()  # the panel opened: from now on kept up to date
    assert before["subjobs"] <= 5 and before["runtime"] is None  # none has ended
    flag.touch()
    wait_until(lambda: (widget.stats.get("runtime") or {}).get("count") == 5, 60,
               "the statistics to count 5 ended subjobs")  # fmt: skip
    stats = widget.stats
    spans = [times(sj) for sj in objects.implementation(job).subjobs]
    runtimes = [t["finished"] - t["started"] for t in spans]
    waits = [t["started"] - t["submitted"] for t in spans]
    assert stats["runtime"]["median"] == pytest.approx(stdlib.median(runtimes))
    assert stats["runtime"]["max"] == pytest.approx(max(runtimes))
    assert stats["queue"]["median"] == pytest.approx(stdlib.median(waits))
    assert [s["subjob"] for s in stats["slowest"]] == sorted(
        range(5), key=lambda i: -runtimes[i])[:5]  # fmt: skip
    assert sum(stats["throughput"]["counts"]) == 5
    assert stats["hosts"]["count"] >= 1 and stats["memory"] is None  # Local: no HTCondor
    assert widget.statistics() == stats
