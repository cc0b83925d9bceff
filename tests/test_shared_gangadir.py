"""A second kernel on a gangadir another Ganga session owns: it follows the owner's jobs live
and read-only, says so once, offers no action, and takes over once the owner has ended."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conditions import wait_until
from ganga_jobs import UNTIL_FLAG, python_job
from notebooks import GANGA_LINE, execute, text_of
from sessions import owner_of


@pytest.mark.ganga
def test_a_second_session_follows_the_owners_jobs_read_only_then_takes_over(
    tmp_path: Path,
) -> None:
    gangadir, flag = tmp_path / "gangadir", tmp_path / "flag"
    with owner_of(gangadir, flag, tmp_path) as owner:
        first = owner.next_job()
        import ganga_widgets
        from ganga_widgets import JobTable, JobWidget, session, submit

        started = ganga_widgets.start(gangadir=str(gangadir), poll={"Local": 1})
        assert started.read_only and not started.monitoring
        widget, table = JobWidget(first), JobTable()
        said = widget.sharing["text"]
        assert f"process {owner.process.pid}" in said and "owns this gangadir" in said
        assert table.sharing == widget.sharing
        assert widget.text().count("Read-only:") == table.text().count("Read-only:") == 1
        wait_until(lambda: widget.summary["status"] == "running", 30, "the owner's job running")
        # Nothing is offered, and what is asked anyway is refused before anything is touched.
        assert not any(widget.can.values())
        assert [r["actions"] for r in table.rows] == [["open"]]
        refused = widget.run_action("kill")
        assert refused["state"] == "refused"
        assert refused["message"] == widget.sharing["reason"]
        assert refused["message"].startswith("Read-only here: the Ganga session of process")
        with pytest.raises(RuntimeError, match=r"cannot run in this kernel\. Read-only here"):
            submit(abs, [1], backend="Local")
        assert widget.summary["status"] == "running"  # the kill did not reach the job
        # This session's copy of the owner's job, marked changed (as some of Ganga's reads
        # do), is never written over the owner's file, by the flusher or at exit.
        from GangaCore.Core.GangaRepository import getRegistry

        registry = getRegistry("jobs")
        saved = os.stat(registry.repository.get_fn(first))
        registry[first]._setDirty()
        registry.flush_all()
        assert os.stat(registry.repository.get_fn(first)).st_ino == saved.st_ino
        # Jobs the owner creates now are listed; a subjob's own view follows it; the end of
        # every job is followed.
        owner.say("submit")
        second = owner.next_job()
        owner.say("split")
        split = owner.next_job()
        wait_until(
            lambda: {r["id"] for r in table.rows} == {first, second, split},
            30,
            "the owner's new jobs in the table",
            shown=lambda: table.rows,
        )
        wait_until(lambda: table._rows[split]["subjobs"] == 2, 30, "the owner's split job")
        subjob = JobWidget(session.gpi().jobs(split).subjobs[1])
        wait_until(lambda: subjob.summary["status"] == "running", 30, "the subjob running")
        flag.touch()
        widget.wait("completed", timeout=60)
        subjob.wait("completed", timeout=60)
        wait_until(
            lambda: {r["status"] for r in table.rows} == {"completed"},
            30,
            "every job completed in the table",
            shown=lambda: [(r["id"], r["status"]) for r in table.rows],
        )
        with pytest.raises(RuntimeError, match="still holds this gangadir"):
            session.take_over()
        owner.say("quit")
        owner.process.wait(timeout=60)
        wait_until(lambda: widget.sharing.get("ended"), 30, "the owner's end seen")
        assert "Take over" in widget.sharing["text"]
    # The owner has ended: this session takes over and monitors what it submits itself.
    assert "took over" in session.take_over()
    assert ganga_widgets.start().monitoring and not ganga_widgets.start().read_only
    wait_until(lambda: widget.sharing == table.sharing == {}, 10, "the views' notice gone")
    flag.unlink()
    g = session.gpi()
    job = python_job(g, UNTIL_FLAG, args=None)
    job.application.args = ["-c", UNTIL_FLAG, str(flag)]
    job.submit()
    mine = JobWidget(job)
    wait_until(lambda: mine.summary["status"] == "running", 30, "a job of this session running")
    assert mine.can["kill"] and table.rows[0]["actions"] != ["open"]
    flag.touch()
    mine.wait("completed", timeout=60)


@pytest.mark.ganga
def test_a_second_kernel_shows_the_owners_job_to_completed_and_prints_nothing(
    tmp_path: Path, artifacts: Path
) -> None:
    gangadir, flag = tmp_path / "gangadir", tmp_path / "flag"
    with owner_of(gangadir, flag, tmp_path / "owner-home") as owner:
        job_id = owner.next_job()
        cells = [
            "import ganga_widgets\n"
            f"ganga_widgets.start(gangadir={str(gangadir)!r})\n"
            f"widget = ganga_widgets.JobWidget({job_id})\n"
            "table = ganga_widgets.JobTable()\n"
            "widget",
            "table",
            f"widget.wait('running', timeout=60)\nopen({str(flag)!r}, 'w').close()",
            "widget.wait('completed', timeout=60)\n"
            "assert table.rows[0]['status'] == 'completed', table.rows\n"
            "assert not any(widget.can.values()) and widget.sharing['owner']",
        ]
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
        done = execute("second-kernel.ipynb", tmp_path / "kernel-home", artifacts, nb=nb)
    printed = [
        out
        for cell in done.cells
        for out in cell.get("outputs", [])
        if out.get("output_type") in ("stream", "error")
    ]
    assert not printed, f"the second kernel printed: {printed}"
    assert not GANGA_LINE.findall(text_of(done))
    # The widget's own text snapshot says, once and first, who owns the gangadir.
    shown: Any = done.cells[0]["outputs"][0]["data"]["text/plain"]
    assert shown.count("Read-only:") == 1
    assert shown.index("Read-only:") < shown.index(f"Job {job_id}")
