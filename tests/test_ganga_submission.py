"""Ganga's submission path with our guards (ganga_adapter/submission.py): the same job,
written the same way, made faster; and it stays an ordinary Ganga job."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from conditions import wait_until
from ganga_jobs import python_job
from htcondor_pool import condor_answer, condor_tool
from processes import run_python

pytestmark = pytest.mark.ganga


def _streamed(job: Any) -> str:
    """A job as Ganga writes it into its registry, times left out."""
    from GangaCore.Core.GangaRepository.VStreamer import to_file

    text = io.StringIO()
    to_file(job, text)
    return re.sub(r"datetime\.datetime\([^)]*\)", "<time>", text.getvalue())


def test_a_split_writes_exactly_the_subjobs_gangas_own_split_writes(
    ganga: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ganga_widgets.ganga_adapter import objects, submission

    job = ganga.Job(
        application=ganga.Executable(exe=sys.executable, args=["-c", "pass"]),
        backend=ganga.Condor(cdf_options={"request_memory": "100"}),
        inputfiles=[ganga.LocalFile(__file__)],
        outputfiles=[ganga.LocalFile("out.txt")],
    )
    master = objects.implementation(job)
    splitters = [
        ganga.ArgSplitter(args=[["-c", "pass", f"arg-{i}"] for i in range(3)]),  # skips the app
        ganga.GenericSplitter(
            attribute="application.args", values=[[f"arg-{i}"] for i in range(3)]
        ),
    ]
    for splitter in splitters:
        fast = [_streamed(sj) for sj in objects.implementation(splitter).validatedSplit(master)]

        with monkeypatch.context() as m:
            m.setattr(submission, "clone", _refused)
            own = [_streamed(sj) for sj in objects.implementation(splitter).validatedSplit(master)]
        assert len(fast) == 3 and fast == own, type(splitter).__name__
        assert all(f"arg-{i}" in text for i, text in enumerate(fast))


def test_a_split_of_a_submit_job_is_gangas_own_split(
    ganga: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ganga_widgets.ganga_adapter import objects, one_command, submission

    def split(own: bool) -> list[str]:
        job = ganga.Job(
            application=ganga.Executable(exe=sys.executable),
            backend=ganga.Condor(cdf_options={"request_memory": "100"}),
            splitter=ganga.ArgSplitter(args=[[f"arg-{i}", "it's"] for i in range(4)]),
        )
        master = objects.implementation(job)
        if own:  # Ganga's own way, for comparison
            with monkeypatch.context() as m:
                m.setattr(submission, "clone", _refused)
                subjobs = master._doSplitting()
        else:
            with one_command.scope(master):
                subjobs = master._doSplitting()
        assert [sj.id for sj in subjobs] == [0, 1, 2, 3]
        assert all(sj.master is master and sj._dirty for sj in subjobs) and master._dirty
        assert len({sj.info.uuid for sj in subjobs}) == 4
        return [re.sub(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", "<uuid>", _streamed(sj))
                for sj in subjobs]  # fmt: skip

    fast = split(own=False)
    assert fast == split(own=True)
    assert all(f"arg-{i}" in text for i, text in enumerate(fast))


def _refused(value: Any) -> Any:
    from ganga_widgets.ganga_adapter.clones import Unclonable

    raise Unclonable("Ganga's own way, for comparison")


def test_the_master_says_submitting_and_submitted_once_however_many_subjobs(ganga: Any) -> None:
    from ganga_widgets.ganga_adapter import ganga_log, objects

    job = python_job(ganga, "pass", args=[[str(i)] for i in range(20)])
    job.submit()
    assert job.status in ("submitted", "running", "completed")
    changes = [
        line
        for line in ganga_log.job_lines.lines(job.id)
        if f"job {job.id} status changed to" in line
    ]
    said = [re.search(r'"(\w+)"', line).group(1) for line in changes]  # type: ignore[union-attr]
    assert said[:2] == ["submitting", "submitted"] and said.count("submitting") == 1, changes
    wait_until(lambda: job.status == "completed", 120, "the job to complete")
    assert {sj.status for sj in objects.implementation(job).subjobs} == {"completed"}


# A separate process of Ganga as it comes (its defaults, nothing of ganga_widgets), on the
# gangadir the kernel used: it must see the job as Ganga wrote it, and resubmit its failures.
BARE_GANGA = """
import collections, importlib, json, os, sys, time
os.environ["GANGA_CONFIG_FILE"] = "/nonexistent"
import ganga
from GangaCore.Utility.Config import setConfigOption
setConfigOption("Configuration", "gangadir", sys.argv[1])
setConfigOption("PollThread", "default_backend_poll_rate", 1)
import ganga.ganga
condor = importlib.import_module("GangaCore.Lib.Condor.Condor")
if "htcondor" not in vars(condor):  # htcondor 25: Ganga alone has no module to submit with
    from ganga_widgets.ganga_adapter import condor_guards
    condor_guards.give_condor_version_1_names(condor)
ganga.enableMonitoring()
job = ganga.jobs(int(sys.argv[2]))
before = collections.Counter(sj.status for sj in job.subjobs)
open(sys.argv[3], "w").close()  # the failed calls succeed from now on
failed = [sj.id for sj in job.subjobs if sj.status == "failed"]
for sj_id in failed:
    job.subjobs[sj_id].resubmit()
deadline = time.monotonic() + 600
while job.status != "completed" and time.monotonic() < deadline:
    time.sleep(0.5)
after = collections.Counter(sj.status for sj in job.subjobs)
print("RESULT " + json.dumps({"before": before, "failed": failed, "after": after}))
"""

KERNEL = """
import json, os, sys
import ganga_widgets

def square_unless(x, flag):
    if x in (7, 80, 109) and not os.path.exists(flag):
        raise RuntimeError(f"{x}: not yet")
    return x * x

ganga_widgets.start(gangadir=sys.argv[1], console=False)
if sys.argv[2] == "submit":
    run = ganga_widgets.submit(square_unless, range(110), backend="Condor",
                               kwargs={"flag": sys.argv[3]})
    run.wait(timeout=900, progress=False)
    print("RESULT " + json.dumps({"id": run.id, "counts": run.counts()}))
else:
    print("RESULT " + json.dumps(ganga_widgets.attach(int(sys.argv[2])).results()))
"""


# 110 calls: past submit()'s IN_THE_CALL (100), so the submission goes on after it returns.
@pytest.mark.timeout(1500)
def test_110_calls_on_the_pool_and_a_plain_ganga_process_resubmits_the_failed_ones(
    condor_pool: None, tmp_path: Path
) -> None:
    gangadir, flag = str(tmp_path / "gangadir"), str(tmp_path / "retry-now")
    submitted = run_python(tmp_path, KERNEL, gangadir, "submit", flag)
    assert submitted["counts"] == {"completed": 107, "failed": 3}
    # the kernel has ended; Ganga alone takes over the job it left
    bare = run_python(tmp_path, BARE_GANGA, gangadir, str(submitted["id"]), flag)
    assert bare["before"] == {"completed": 107, "failed": 3}
    assert bare["failed"] == [7, 80, 109]
    assert bare["after"] == {"completed": 110}
    # and a kernel again: every value, exact
    assert run_python(tmp_path, KERNEL, gangadir, str(submitted["id"])) == [
        x * x for x in range(110)
    ]


def _square(x: int) -> int:
    return x * x


def test_a_big_submit_returns_at_once_and_its_view_shows_how_far_the_submission_is(
    ganga: Any,
) -> None:
    from GangaCore.Core.GangaRepository import getRegistry

    from ganga_widgets import submit

    # Ganga's first step in submitting a job is a write of the registry, under this lock:
    # held here, the submission cannot get further until the test lets it.
    with getRegistry("jobs")._flush_lock:
        run = submit(_square, range(120))
        assert len(run) == 120 and len(run.job.subjobs) == 0  # returned before any subjob
        widget = run.widget
        wait_until(
            lambda: (
                (widget.summary.get("submitting") or {}).get("text")
                == "splitting: 0 of 120 subjobs made"
            ),
            30,
            "the widget to say the submission has begun",
        )
        with pytest.raises(TimeoutError, match="still being submitted"):
            run.submitted(timeout=0.2)
    assert run.results(timeout=600) == [x * x for x in range(120)]
    wait_until(lambda: widget.summary.get("submitting") is None, 30, "the progress to go")
    # the results are in once every subjob has completed; the master says so just after
    wait_until(lambda: widget.summary["status"] == "completed", 30, "the job to complete")
    assert widget.counts == {"completed": 120}


def test_a_big_submit_that_fails_in_the_background_says_why_and_leaves_nothing_behind(
    condor_ganga: Any,
) -> None:
    from GangaCore.Core.GangaRepository import getRegistry

    from ganga_widgets import submit

    # Held, as above, until the schedd is down: the submission then fails for real.
    with getRegistry("jobs")._flush_lock:
        run = submit(_square, range(120), backend="Condor")
        widget = run.widget
        job_id = run.id
        condor_tool("condor_off", "-fast", "-schedd")
    try:
        with pytest.raises(RuntimeError) as raised:
            run.submitted(timeout=600)
        message = str(raised.value)
        assert message.startswith(f"submitting job {job_id} failed, nothing of it runs:")
        assert run.job.status in ("new", "removed", "failed"), run.job.status
        # Ganga reverts the job to new, and ours takes a never-submitted job away: its view
        # says why, and nothing else
        said = wait_until(
            lambda: "removed from the registry" in widget.notice and widget.notice,
            30,
            "the widget to say the job was removed, and why",
        )
        ganga_says = message.split("nothing of it runs: ", 1)[1]
        assert "Unable to locate local daemon" in ganga_says
        assert said == (
            f"submitting job {job_id} failed, so it was removed from the registry "
            f"(nothing of it runs): {ganga_says}"
        )
        assert widget.summary["status"] == "removed"
    finally:
        condor_tool("condor_on", "-schedd")
    wait_until(
        lambda: condor_answer("condor_q", "-af", "ClusterId") == "",  # None: not back yet
        60,
        "the schedd back, with no job of it queued",
    )


def test_subjobs_sharing_a_sandbox_get_the_same_files_and_run(ganga: Any, tmp_path: Path) -> None:
    import tarfile

    from ganga_widgets.ganga_adapter import objects

    data = tmp_path / "data.txt"
    data.write_text("shared input\n")
    code = "import sys; print(open('data.txt').read().strip(), sys.argv[1])"
    job = python_job(
        ganga, code, args=[["a"], ["b"], ["c"]], inputfiles=[ganga.LocalFile(str(data))]
    )
    job.submit()
    wait_until(lambda: job.status in ("completed", "failed"), 120, "the job to end")
    master = objects.implementation(job)
    assert job.status == "completed"
    for subjob, arg in zip(master.subjobs, "abc", strict=True):
        stdout = Path(subjob.outputdir, "stdout").read_text()
        assert stdout.strip() == f"shared input {arg}", stdout

    def members(subjob: Any) -> dict[str, bytes]:
        [tarball] = Path(subjob.inputdir).glob("_input_sandbox_*.tgz")
        with tarfile.open(tarball) as packed:
            return {
                m.name: packed.extractfile(m).read()  # type: ignore[union-attr]
                for m in packed.getmembers()
                if m.isfile()
            }

    first = members(master.subjobs[0])
    assert any(name.endswith("files.py") for name in first), first.keys()
    assert all(members(subjob) == first for subjob in master.subjobs)


ONE_CLUSTER = """
import json, sys
import ganga_widgets
from ganga_widgets.condor import bindings as condor
from ganga_widgets.ganga_adapter import objects
from ganga_widgets.jobdata import read

def shout_unless_two(x):
    if x == 2:
        raise ValueError("two is not loud")
    return f"{x}!"

ganga_widgets.start(gangadir=sys.argv[1], console=False)
run = ganga_widgets.submit(shout_unless_two, range(4), backend="Condor")
run.wait(timeout=600, progress=False)
subjobs = objects.implementation(run.job).subjobs
ids = [sj.backend.id for sj in subjobs]
ads = condor.bindings().Schedd().history(f"ClusterId == {ids[0].split('.')[0]}",
                                         ["ProcId", "Iwd"], 10)
print("RESULT " + json.dumps({
    "values": [run.result(i) for i in (0, 1, 3)],
    "error": [(i, e.type, e.message) for i, e in run.exceptions().items()],
    "ids": ids,
    "iwd": {str(condor.value(ad, "ProcId")): condor.value(ad, "Iwd") for ad in ads},
    "stamps": [sorted(sj.time.timestamps) for sj in subjobs],
    "counters": [sj.info.submit_counter for sj in subjobs],
    "exit_codes": [read.exit_code(sj) for sj in subjobs],
}))
"""


@pytest.mark.timeout(900)
def test_a_submit_to_condor_is_one_cluster_that_ganga_records_per_subjob(
    condor_pool: None, tmp_path: Path
) -> None:
    # one wrapper, every subjob's command in its arguments: paths with a space and a quote
    gangadir = tmp_path / "user's gangadir"
    found = run_python(tmp_path, ONE_CLUSTER, str(gangadir))
    assert found["values"] == ["0!", "1!", "3!"]
    assert found["error"] == [[2, "ValueError", "two is not loud"]]
    cluster = found["ids"][0].split(".")[0]
    assert found["ids"] == [f"{cluster}.{i}" for i in range(4)]
    # HTCondor's process i is subjob i: it ran in that subjob's output directory
    for i in range(4):
        assert found["iwd"][str(i)].rstrip("/").endswith(f"/0/{i}/output"), found["iwd"]
    # what Ganga records of a subjob it submits itself
    assert all({"new", "submitting", "submitted"} <= set(s) for s in found["stamps"])
    assert found["counters"] == [1, 1, 1, 1]
    assert found["exit_codes"] == [0, 0, 1, 0]  # from the wrapper's last line, as Ganga's
