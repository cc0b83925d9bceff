"""Whichever HTCondor bindings a user has: version 1 (``htcondor``, 24.x) or only version 2
(``htcondor2``, all that 25.x ships); and Ganga's job scripts, on every backend, passing
arguments as given and writing no warnings where a user looks (a cell, a stderr tail).

Each lane of scripts/test has other bindings: these tests assert what that lane's user gets.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conditions import wait_until
from ganga_jobs import UNTIL_FLAG, condor_job
from notebooks import execute, text_of

pytestmark = pytest.mark.ganga

HTCONDOR_MAJOR = int(version("htcondor").split(".")[0])
# What could break a command line if it were read again by a shell.
ARGUMENTS = ["two words", "it's", '"quoted"', "$HOME", "a;b", "*", "line 1\nline 2", "", "\\$x"]
PRINT_ARGV = "import json, sys; print('ARGV', json.dumps(sys.argv[1:]))"


def _ended(job: Any, timeout: float) -> str:
    wait_until(lambda: job.status in ("completed", "failed", "killed"), timeout, "the job to end")
    return job.status


def _argv_printed(job: Any) -> list[str]:
    stdout = Path(job.outputdir, "stdout").read_text()
    [line] = [line for line in stdout.splitlines() if line.startswith("ARGV ")]
    return json.loads(line[len("ARGV ") :])


def test_the_bindings_of_this_lane_reach_ganga_and_the_view(condor_ganga: Any) -> None:
    from ganga_widgets.condor import bindings as condor

    ganga_condor = importlib.import_module("GangaCore.Lib.Condor.Condor")  # not the class

    assert condor.bindings().__name__ == "htcondor2", "htcondor2 is used wherever it exists"
    if HTCONDOR_MAJOR >= 25:
        # the user's world: the version-1 module is gone ...
        probe = subprocess.run([sys.executable, "-c", "import htcondor"], capture_output=True)
        assert b"No module named 'htcondor'" in probe.stderr, probe.stderr
        # ... and Ganga's Condor backend gets the names it uses, built on htcondor2
        stand_in = ganga_condor.htcondor
        assert not hasattr(stand_in, "__file__") and "Schedd" in stand_in.__all__
        with pytest.raises(AttributeError, match=r"htcondor\.Negotiator is not available"):
            stand_in.Negotiator  # noqa: B018  a name Ganga does not use: says so
    else:
        assert ganga_condor.htcondor.__file__, "the real version-1 module, untouched"


@pytest.fixture
def without_htcondor2() -> None:
    """This process as it would be with htcondor before 24, which has only the version-1
    module. Fault injection, said so: the shared venv keeps htcondor2 installed, so Python's
    own mechanism makes it unimportable here (before Ganga or the view import anything)."""
    if importlib.util.find_spec("htcondor") is None:
        pytest.skip("no version-1 htcondor module here (scripts/test runs this in its 3.11 lane)")
    sys.modules["htcondor2"] = None  # type: ignore[assignment]


def test_without_htcondor2_the_version_1_module_serves_the_view(
    without_htcondor2: None, condor_ganga: Any, tmp_path: Path
) -> None:
    from ganga_widgets import JobWidget
    from ganga_widgets.condor import bindings as condor

    assert condor.bindings().__name__ == "htcondor"
    go = tmp_path / "go"
    job = condor_job(condor_ganga, tmp_path, UNTIL_FLAG, args=[[str(go)]])
    job.submit()
    widget = JobWidget(job)
    wait_until(lambda: widget.cells == "r", 60, "the job shown running (its event log)")
    assert widget.run_action("hold", subjob=0)["state"] == "done"
    wait_until(lambda: widget.cells == "h", 60, "the job shown held with its reason")
    assert "ganga_widgets" in widget.held[0]["reason"]
    assert widget.run_action("release", subjob=0)["state"] == "done"
    wait_until(lambda: widget.cells == "r", 60, "the job running again")
    widget._handle_custom_msg({"type": "select", "subjob": 0}, [])
    wait_until(lambda: widget.detail["condor"]["host"], 30, "the schedd's live detail")

    go.write_text("go")

    wait_until(lambda: widget.summary["status"] == "completed", 60, "the job to complete")


def test_arguments_reach_the_program_as_given_on_local_and_condor(
    condor_ganga: Any, tmp_path: Path
) -> None:
    ganga = condor_ganga
    jobs = {}
    for backend in (ganga.Local(), ganga.Condor()):
        app = ganga.Executable(exe=sys.executable, args=["-c", PRINT_ARGV, *ARGUMENTS])
        jobs[backend._impl._name] = job = ganga.Job(application=app, backend=backend)
        job.submit()

    for name, job in jobs.items():
        assert _ended(job, 120) == "completed", f"{name}: {job.status}"
        assert _argv_printed(job) == ARGUMENTS, name
        stderr = Path(job.outputdir, "stderr").read_text()
        assert "Warning" not in stderr, f"{name}'s stderr: {stderr}"


def test_a_shell_loop_given_as_arguments_runs_on_condor(condor_ganga: Any) -> None:
    ganga = condor_ganga
    loop = "for i in $(seq 1 3); do echo $i >&2; sleep 1; done"
    app = ganga.Executable(exe="/bin/sh", args=["-c", loop])
    job = ganga.Job(application=app, backend=ganga.Condor())
    job.submit()

    assert _ended(job, 120) == "completed"
    assert Path(job.outputdir, "stderr").read_text() == "1\n2\n3\n"


def test_a_cell_that_runs_local_jobs_to_the_end_shows_no_warning(
    tmp_path: Path, artifacts: Path
) -> None:
    """A job script's own stderr reaches the cell running when it is written: this cell
    submits and waits, so all of it lands there (on Python 3.12+ it held a DeprecationWarning
    per job). execute() fails on any warning shown."""
    cell = (
        "import sys, ganga_widgets\n"
        "ganga_widgets.start()\n"
        "g = ganga_widgets.session.gpi()\n"
        "app = g.Executable(exe=sys.executable, args=['-c', 'print(1)'])\n"
        "job = g.Job(application=app, backend=g.Local(),\n"
        "            splitter=g.ArgSplitter(args=[['-c', 'print(1)']] * 3))\n"
        "job.submit()\n"
        "print('ended:', ganga_widgets.JobWidget(job).wait(timeout=120))"
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)])

    nb = execute("local-jobs-to-the-end.ipynb", tmp_path / "home", artifacts, nb=nb)

    assert "ended: completed" in text_of(nb)
