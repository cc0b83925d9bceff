"""submit() where the execute side shares no filesystem with the kernel: the pool's isolated
execute node (scripts/htcondor-pool isolated-start) sees neither the kernel's venv, nor the
checkout, nor the gangadir, only what HTCondor transfers; its Python is the chroot's
python3 with Debian's cloudpickle. Run in the Python 3.13 lane, whose kernel it matches."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from htcondor_pool import POOL, condor_tool

pytestmark = pytest.mark.ganga

# The test pool's isolated node runs only jobs with this attribute; its slots refuse others.
FOR_THE_ISOLATED_NODE = {"MY.GW_Isolated": "true"}


@pytest.fixture
def isolated_node(condor_pool: None) -> Iterator[None]:
    """The pool's isolated execute node, up for this test alone."""
    subprocess.run([str(POOL), "isolated-start"], check=True, capture_output=True)
    try:
        yield
    finally:
        subprocess.run([str(POOL), "isolated-stop"], check=True, capture_output=True)


@pytest.fixture
def isolated(isolated_node: None, condor_ganga: Any) -> Any:
    """Ganga on the real pool, with the isolated execute node up."""
    return condor_ganga


def _backend(ganga: Any) -> Any:
    return ganga.Condor(cdf_options=dict(FOR_THE_ISOLATED_NODE))


def test_a_notebook_closure_over_twenty_items_gives_exact_results_on_the_isolated_node(
    isolated: Any, tmp_path: Path
) -> None:
    from ganga_widgets import submit

    offset = 1000  # captured from the notebook: travels in the function's pickle

    def where(i: int) -> tuple[int, bool, bool, bool]:
        import os

        seen = (os.path.exists(sys.executable), os.path.exists(str(tmp_path)))
        # the scratch directory of the isolated node's startd
        return (i * i + offset, *seen, os.getcwd().startswith("/var/lib/condor-isolated/"))

    run = submit(where, range(20), backend=_backend(isolated))

    assert run.job.backend.shared_filesystem is False  # chosen: the pool said so
    assert run.results(timeout=240) == [(i * i + 1000, False, False, True) for i in range(20)]
    assert run.widget.counts == {"completed": 20}
    assert run.widget.summary["files"] == "files shipped by HTCondor"  # said in its header
    assert "Condor · files shipped by HTCondor" in run.widget.text()  # and in the terminal


def _raises(x: int) -> int:  # by value: its module (tests/) is on the kernel's own path
    if x == 2:
        raise KeyError(f"no calibration for run {x}")
    with open(f"histogram-{x}.txt", "w") as f:  # in the call's working directory
        f.write(f"bins for {x}\n")
    return x


def test_a_call_that_raises_and_files_a_call_writes_come_back(isolated: Any) -> None:
    from ganga_widgets import RemoteError, submit

    run = submit(_raises, range(3), backend=_backend(isolated))
    run.wait(timeout=240, progress=False)

    error = run.exceptions()[2]
    assert isinstance(error, RemoteError) and error.type == "KeyError"
    assert "no calibration for run 2" in error.message
    # sent by value: no source file on the node, the source line came with the run
    assert 'File "<dynamic-code>", line' in error.traceback and "in _raises" in error.traceback
    assert 'raise KeyError(f"no calibration for run {x}")' in error.traceback
    assert error.host == os.uname().nodename  # the node's name (the pool runs on this host)
    for i in (0, 1):
        assert run.result(i) == i
        written = Path(run.job.subjobs[i].outputdir, f"histogram-{i}.txt")
        assert written.read_text() == f"bins for {i}\n"
        # what was shipped in is not shipped back
        assert not Path(run.job.subjobs[i].outputdir, "call.pkl").exists()


def test_attach_after_a_kernel_restart_gives_the_same_results(
    isolated_node: None, tmp_path: Path
) -> None:
    gangadir = tmp_path / "gangadir"
    first_kernel = f"""
import ganga_widgets
ganga_widgets.start(gangadir={str(gangadir)!r})
backend = ganga_widgets.session.gpi().Condor(cdf_options={FOR_THE_ISOLATED_NODE!r})
run = ganga_widgets.submit(lambda x: x ** 3, range(5), backend=backend)
shared = run.job.backend.shared_filesystem
print("ID", run.id, "SHARED", shared, "RESULTS", run.results(timeout=240))
"""
    proc = subprocess.run([sys.executable, "-c", first_kernel], capture_output=True, text=True,
                          timeout=400)  # fmt: skip
    line = next((x for x in proc.stdout.splitlines() if x.startswith("ID ")), "")
    assert line, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert " SHARED False " in line
    job_id, expected = int(line.split()[1]), line.split(" RESULTS ")[1]

    import ganga_widgets

    ganga_widgets.start(gangadir=str(gangadir))  # never submitted here: a restarted kernel
    run = ganga_widgets.attach(job_id)
    assert str(run.results()) == expected == "[0, 1, 8, 27, 64]"
    assert run.widget.counts == {"completed": 5}


def _wrong_python(version: str) -> str:
    """A python3 inside the pool's chroot that says it is another version (through a
    sitecustomize), as a node with an older Python would; its path inside."""
    root = Path(os.environ["GW_CONDOR_ROOT"])
    site = root / "usr/local/lib/gw-wrong-python"
    site.mkdir(parents=True, exist_ok=True)
    major, minor, micro = version.split(".")
    (site / "sitecustomize.py").write_text(
        "import sys, platform\n"
        f"sys.version_info = ({major}, {minor}, {micro}, 'final', 0)\n"
        f"platform.python_version = lambda: {version!r}\n"
    )
    wrapper = root / "usr/local/bin/python3-wrong"
    wrapper.write_text(
        '#!/bin/sh\nPYTHONPATH=/usr/local/lib/gw-wrong-python exec /usr/bin/python3 "$@"\n'
    )
    wrapper.chmod(0o755)
    return "/usr/local/bin/python3-wrong"


def test_a_mismatched_interpreter_is_refused_before_any_subjob_is_queued(isolated: Any) -> None:
    from ganga_widgets import submit

    python = _wrong_python("3.9.18")
    with pytest.raises(RuntimeError) as refused:
        submit(abs, range(1000), backend=_backend(isolated), python=python)
    message = str(refused.value)
    assert message.startswith("nothing was submitted: the batch nodes' Python ")
    assert f"{python} (" in message and "is Python 3.9.18 with cloudpickle 3.1" in message
    assert f"this kernel runs Python {sys.version.split()[0]}" in message
    assert "submit(..., python=...)" in message and "container=" in message
    assert len(isolated.jobs) == 0
    # the one job that ran was the check; nothing of the run was queued
    iwd = (
        condor_tool("condor_history", "-af", "Iwd").split()
        + condor_tool("condor_q", "-allusers", "-af", "Iwd").split()
    )
    gangadir = isolated.config["Configuration"]["gangadir"]
    ran = [d for d in iwd if d.startswith(gangadir)]
    assert ran and all("/ganga_widgets/check-" in d for d in ran), ran


def test_a_module_the_nodes_cannot_import_is_named_before_anything_is_queued(
    isolated: Any,
) -> None:
    import numpy as np

    from ganga_widgets import submit

    with pytest.raises(RuntimeError) as refused:
        submit(np.sqrt, [4.0], backend=_backend(isolated))
    message = str(refused.value)
    assert "the calls import numpy, which the batch nodes' Python python3 (" in message
    assert "install it there" in message
    assert len(isolated.jobs) == 0


def test_a_module_beside_the_notebook_travels_with_the_function(
    isolated: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ganga_widgets import submit

    (tmp_path / "calibration_helpers.py").write_text(
        "SCALE = 3\n\ndef calibrate(x):\n    return x * SCALE\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))  # as the notebook's own directory is
    import calibration_helpers  # type: ignore[import-not-found]

    run = submit(calibration_helpers.calibrate, [1, 2], backend=_backend(isolated))
    assert run.results(timeout=240) == [3, 6]


def test_a_container_image_on_a_pool_without_containers_is_refused_saying_so(
    condor_ganga: Any,
) -> None:
    from ganga_widgets import submit

    with pytest.raises(ValueError, match=r"no slot of this pool offers it \(none advertises "
                       r"HasContainer\): choose an interpreter on the nodes instead"):  # fmt: skip
        submit(abs, [1], backend="Condor", container="docker://python:3.13-slim")
    assert len(condor_ganga.jobs) == 0


def _fails_beyond_the_first_of_its_cluster(i: int) -> int:
    """Raises in every process of a cluster but its first: a failed call resubmitted alone
    (a cluster of its own) then returns."""
    with open(os.environ["_CONDOR_JOB_AD"]) as ad:
        proc = next(int(x.split("=")[1]) for x in ad if x.startswith("ProcId "))
    if proc:
        raise RuntimeError(f"call {i} is process {proc} of its cluster")
    return i


def test_a_failed_call_resubmitted_from_the_widget_travels_the_same_way(isolated: Any) -> None:
    from ganga_widgets import actions, submit
    from ganga_widgets.ganga_adapter import objects

    run = submit(_fails_beyond_the_first_of_its_cluster, range(2), backend=_backend(isolated))
    run.wait(timeout=240, progress=False)
    assert list(run.exceptions()) == [1] and run.result(0) == 0

    outcome = actions.resubmit_failed(objects.implementation(run.job))
    assert outcome.state == "done", outcome.message
    assert run.results(timeout=240) == [0, 1]  # Ganga's own wrapper would find no worker there
