"""What a notebook's views say about the kernel behind them, in real browsers: a gangadir
another Ganga session owns (read-only, then taken over); a kernel restarted under them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from browser import NOTEBOOK, outputs_text, run_all_cells, wait_all_cells_done
from ganga_jobs import UNTIL_FLAG
from notebooks import GANGA_LINE, WARNINGS
from sessions import owner_of

pytestmark = pytest.mark.browser

OUTPUT = NOTEBOOK + " .jp-OutputArea-output"
APPS = ["lab", "notebook"]


def test_a_second_notebook_follows_the_owners_job_read_only_then_takes_over(
    jupyter: Any, page: Any, tmp_path: Path, artifacts: Path
) -> None:
    from playwright.sync_api import expect

    gangadir, flag = tmp_path / "gangadir", tmp_path / "flag"
    with owner_of(gangadir, flag, tmp_path / "owner-home") as owner:
        job_id = owner.next_job()
        code = (
            f"import ganga_widgets\nganga_widgets.start(gangadir={str(gangadir)!r})\n"
            f"ganga_widgets.JobWidget({job_id})"
        )
        _, widget, table = _running(
            jupyter, page, "lab", tmp_path / "second.ipynb", code, "ganga_widgets.JobTable()"
        )
        for view in (widget, table):
            expect(view).to_have_attribute("data-read-only", "true")
            notice = view.locator(".gw-sharing")
            expect(notice).to_have_count(1)
            expect(notice).to_contain_text(
                f"Read-only: the Ganga session of process {owner.process.pid}"
            )
            assert view.locator(".gw-sharing").bounding_box()["y"] <= view.bounding_box()["y"] + 12
        # Offered nothing: disabled, each saying why.
        kill = widget.locator(".gw-kill")
        expect(kill).to_be_disabled()
        expect(kill).to_have_attribute(
            "title", f"Read-only here: {_owner(widget)} owns this gangadir; act from there"
        )
        widget.screenshot(path=str(artifacts / "read-only-lab-running.png"))
        table.screenshot(path=str(artifacts / "read-only-lab-table.png"))

        flag.touch()
        expect(widget).to_have_attribute("data-status", "completed", timeout=60_000)
        expect(table.locator("tr[data-status]")).to_have_attribute(
            "data-status", "completed", timeout=30_000
        )
        owner.say("quit")
        owner.process.wait(timeout=60)
        expect(widget).to_have_attribute("data-read-only", "ended", timeout=30_000)
        expect(widget.locator(".gw-sharing")).to_contain_text("has ended. Take over")
        widget.screenshot(path=str(artifacts / "read-only-lab-ended.png"))
        widget.locator(".gw-take-over").click()
        for view in (widget, table):
            expect(view).to_have_attribute("data-read-only", "", timeout=30_000)
            expect(view.locator(".gw-sharing")).to_be_hidden()
        expect(widget.locator(".gw-action-status")).to_contain_text("Take over: done")
        widget.screenshot(path=str(artifacts / "read-only-lab-taken-over.png"))
    shown = outputs_text(page)
    assert not GANGA_LINE.findall(shown), shown
    assert "Traceback" not in shown and not [w for w in WARNINGS if w in shown], shown


@pytest.mark.parametrize("app", APPS)
def test_views_of_a_restarted_kernel_say_they_are_not_live_and_stop(
    app: str, jupyter: Any, page: Any, tmp_path: Path, artifacts: Path
) -> None:
    from playwright.sync_api import expect

    flag = tmp_path / "flag"
    notebook = tmp_path / "restart.ipynb"
    code = (
        "import sys, ganga_widgets\n"
        "from ganga_widgets import JobWidget, JobTable\n"
        "g = ganga_widgets.session.gpi()\n"
        f"app = g.Executable(exe=sys.executable, args=['-c', {UNTIL_FLAG!r}, {str(flag)!r}])\n"
        "j = g.Job(name='outlives its kernel', application=app, backend=g.Local())\n"
        "j.submit()\n"
        "JobWidget(j)"
    )
    server, widget, table = _running(jupyter, page, app, notebook, code, "JobTable()")
    for view in (widget, table):
        expect(view).to_have_attribute("data-live", "true")
    # Idle and live for several beats: a quiet kernel is not taken for a gone one.
    page.wait_for_timeout(8_000)
    expect(widget).to_have_attribute("data-live", "true")
    expect(widget.locator(".gw-saved")).to_have_count(0)

    (session,) = server.api("GET", "sessions")
    server.api("POST", f"kernels/{session['kernel']['id']}/restart")
    for view in (widget, table):
        expect(view).to_have_attribute("data-live", "false", timeout=15_000)
        expect(view.locator(".gw-saved")).to_contain_text("Not live — no word from the kernel")
    expect(widget.locator(".gw-saved")).to_contain_text("JobWidget(0)")
    expect(table.locator(".gw-saved")).to_contain_text("JobTable()")
    # Its actions are out of reach, its clock stands still.
    assert widget.locator(".gw-kill").evaluate("b => b.closest('[inert]') !== null")
    elapsed = widget.locator(".gw-time-elapsed").inner_text()
    page.wait_for_timeout(2_500)  # the view's own clock ticks each second: it must not
    assert widget.locator(".gw-time-elapsed").inner_text() == elapsed
    widget.screenshot(path=str(artifacts / f"restarted-{app}-not-live.png"))
    flag.touch()


def _running(jupyter: Any, page: Any, app: str, notebook: Path, *cells: str) -> Any:
    """The notebook of these cells (a JobWidget's, then a JobTable's) run in a new server
    of ``app``, its job running and every cell done: (server, widget, table)."""
    from playwright.sync_api import expect

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3"}}
    nbformat.write(nb, notebook)
    server = jupyter(app, [notebook])
    page.goto(server.notebook_url(notebook.name))
    run_all_cells(page)
    widget, table = page.locator(OUTPUT + " .gw-job"), page.locator(OUTPUT + " .gw-table")
    expect(widget).to_have_attribute("data-status", "running", timeout=90_000)
    wait_all_cells_done(page)
    return server, widget, table


def _owner(view: Any) -> str:
    text = view.locator(".gw-sharing-text").inner_text()
    return text.removeprefix("Read-only: ").split(" owns this gangadir")[0]
