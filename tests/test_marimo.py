"""The widgets in marimo (``marimo edit`` and ``marimo run``) in Debian's Chromium: live while
marimo is idle or busy, buttons that act, and a re-run cell's old widget closed with it."""

from __future__ import annotations

import os
import re
import signal
import textwrap
import uuid
from pathlib import Path
from typing import Any

import pytest
from browser import assert_fits, marimo_server
from conditions import wait_until
from places import ROOT
from test_browser import _processes_with

pytestmark = pytest.mark.browser

# marimo draws an anywidget in an open shadow root; Playwright's CSS selectors go into it.
JOB = "marimo-anywidget .gw-job"


def _notebook(path: Path, token: str, flags: Path) -> Path:
    """Two Local jobs, each in a view: one that ends when ``flags/done`` exists, one that
    sleeps for minutes (``token`` in its command line); a cell that counts the widgets'
    subscriptions; and a last cell that keeps marimo busy until ``flags/idle`` exists."""
    waits = f"import os, time\nwhile not os.path.exists({str(flags / 'done')!r}): time.sleep(0.05)"
    sleeps = f"import time\ntime.sleep(600)  # {token}"
    path.write_text(
        textwrap.dedent(f"""\
        import marimo

        app = marimo.App()


        @app.cell
        def setup():
            import os, sys, time
            import marimo as mo
            import ganga_widgets
            from ganga_widgets import JobWidget
            from ganga_widgets.dispatcher import dispatcher

            ganga_widgets.start()
            g = ganga_widgets.session.gpi()
            return JobWidget, dispatcher, g, mo, os, sys, time


        @app.cell
        def jobs(g, sys):
            waits = g.Job(name="waits", backend=g.Local(),
                          application=g.Executable(exe=sys.executable, args=["-c", {waits!r}]))
            waits.submit()
            sleeps = g.Job(name="sleeps", backend=g.Local(),
                           application=g.Executable(exe=sys.executable, args=["-c", {sleeps!r}]))
            sleeps.submit()
            return sleeps, waits


        @app.cell
        def view_waits(JobWidget, waits):
            w = JobWidget(waits)
            w
            return (w,)


        @app.cell
        def view_sleeps(JobWidget, sleeps):
            k = JobWidget(sleeps)
            k
            return (k,)


        @app.cell
        def count(dispatcher, k, mo, os, w):
            mo.md(f"subscriptions: {{dispatcher().listener_count()}} · view {{w.model_id}}"
                  f" · kernel {{os.getpid()}}")
            return


        @app.cell
        def busy(k, os, time, w):
            deadline = time.time() + 300
            while not os.path.exists({str(flags / "idle")!r}) and time.time() < deadline:
                time.sleep(0.05)
            return
        """)
    )
    return path


def _count(page: Any) -> Any:
    """The count cell's output (its code never reads "subscriptions: <digit>")."""
    return page.locator('[data-cell-name="count"]')


@pytest.mark.parametrize("mode", ["edit", "run"])
def test_a_local_jobs_widget_goes_live_to_completed_and_kill_works_in_marimo(
    mode: str, page: Any, tmp_path: Path, artifacts: Path
) -> None:
    """Both views update while marimo is busy in a later cell, and stay live; once it is
    idle, Kill from a view ends its job; the kernel stopped, the views say they are not live."""
    from playwright.sync_api import expect

    token, flags = f"gw-marimo-{uuid.uuid4().hex}", tmp_path / "flags"
    flags.mkdir()
    notebook = _notebook(tmp_path / "jobs.py", token, flags)
    with marimo_server(mode, tmp_path / "marimo", notebook) as url:
        page.goto(url)
        waits, sleeps = page.locator(JOB).nth(0), page.locator(JOB).nth(1)
        expect(waits).to_have_attribute("data-status", "running", timeout=120_000)
        expect(sleeps).to_have_attribute("data-status", "running", timeout=60_000)
        wait_until(lambda: _processes_with(token), 30, "the sleeping job's process")

        # marimo is busy in the last cell all along: the views still hear from the kernel
        page.wait_for_timeout(8_000)
        for view in (waits, sleeps):
            expect(view).to_have_attribute("data-live", "true")
        (flags / "done").write_text("")
        expect(waits).to_have_attribute("data-status", "completed", timeout=60_000)
        expect(waits.locator(".gw-name")).to_have_text("waits")
        page.screenshot(path=str(artifacts / f"marimo-{mode}-busy.png"), full_page=True)

        (flags / "idle").write_text("")
        sleeps.locator(".gw-kill").click()
        sleeps.locator(".gw-confirm .gw-danger").click()
        expect(sleeps).to_have_attribute("data-action-state", "done", timeout=60_000)
        expect(sleeps).to_have_attribute("data-status", "killed", timeout=30_000)
        wait_until(lambda: not _processes_with(token), 60, "the killed job's process to be gone")
        expect(sleeps.locator(".gw-kill")).to_be_disabled()

        # The kernel's process dies: each view says within seconds that it is not live.
        kernel = re.search(r"kernel (\d+)", _count(page).first.inner_text())
        assert kernel, _count(page).first.inner_text()
        os.kill(int(kernel.group(1)), signal.SIGKILL)
        for view in (waits, sleeps):
            expect(view).to_have_attribute("data-live", "false", timeout=15_000)
            expect(view.locator(".gw-saved")).to_contain_text("no word from the kernel")
        page.screenshot(path=str(artifacts / f"marimo-{mode}-kernel-gone.png"), full_page=True)


def test_a_re_run_cells_old_widget_is_closed_and_unsubscribed_in_marimo(
    page: Any, tmp_path: Path, artifacts: Path
) -> None:
    """Re-run, the cell's view is a new widget; the old one is closed with its cell: the
    widgets' subscriptions stay two (one per view shown), where they would grow by one."""
    from playwright.sync_api import expect

    token, flags = f"gw-marimo-{uuid.uuid4().hex}", tmp_path / "flags"
    flags.mkdir()
    (flags / "idle").write_text("")
    notebook = _notebook(tmp_path / "rerun.py", token, flags)
    with marimo_server("edit", tmp_path / "marimo", notebook) as url:
        page.goto(url)
        count = _count(page)
        expect(count.first).to_contain_text("subscriptions: 2", timeout=120_000)
        before = re.search(r"view (\w+)", count.first.inner_text())
        assert before, count.first.inner_text()
        waits = page.locator(JOB).nth(0)
        expect(waits).to_have_attribute("data-status", "running", timeout=60_000)

        for _ in range(2):  # twice: each re-run closes the widget the last one made
            cell = page.locator('[data-cell-name="view_waits"]')
            cell.hover()
            cell.locator('[data-testid="run-button"]:not([disabled])').first.click()
            expect(count.first).not_to_contain_text(f"view {before.group(1)}", timeout=60_000)
            expect(count.first).to_contain_text("subscriptions: 2")
            now = re.search(r"view (\w+)", count.first.inner_text())
            assert now, count.first.inner_text()
            before = now
        expect(page.locator(JOB)).to_have_count(2)
        expect(waits).to_have_attribute("data-status", "running")
        (flags / "done").write_text("")
        expect(waits).to_have_attribute("data-status", "completed", timeout=60_000)
        page.screenshot(path=str(artifacts / "marimo-rerun.png"), full_page=True)
        # the sleeping job is not the kernel's process: ended here, as a user would
        sleeps = page.locator(JOB).nth(1)
        sleeps.locator(".gw-kill").click()
        sleeps.locator(".gw-confirm .gw-danger").click()
        wait_until(lambda: not _processes_with(token), 60, "the sleeping job's process to go")


def test_the_marimo_example_runs_a_submit_and_shows_it_in_its_table(
    page: Any, tmp_path: Path, artifacts: Path
) -> None:
    """examples/marimo_jobs.py served by ``marimo run`` in a narrow window: submit()'s
    handle shows as a live JobWidget to completed, and the JobTable lists the job and fits."""
    from playwright.sync_api import expect

    notebook = tmp_path / "marimo_jobs.py"
    notebook.write_text((ROOT / "examples" / "marimo_jobs.py").read_text())
    with marimo_server("run", tmp_path / "marimo", notebook) as url:
        page.set_viewport_size({"width": 660, "height": 900})  # a narrow window
        page.goto(url)
        run = page.locator(JOB).first
        expect(run).to_have_attribute("data-status", "completed", timeout=180_000)
        expect(run.locator(".gw-name")).to_have_text("marimo")
        table = page.locator("marimo-anywidget .gw-table")
        row = table.locator('tr[data-id="0"]')
        expect(row).to_have_attribute("data-status", "completed", timeout=30_000)
        assert_fits(table, ".output-area")
        table.screenshot(path=str(artifacts / "marimo-table.png"))
        page.screenshot(path=str(artifacts / "marimo-example.png"), full_page=True)
