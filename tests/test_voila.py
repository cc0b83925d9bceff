"""examples/dashboard.ipynb served by Voilà, as ``voila examples/dashboard.ipynb`` does, in
Debian's Chromium: the JobTable is live, filters, and acts, and says when its kernel is gone."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path
from typing import Any

import pytest
from browser import assert_fits, voila_server
from places import ROOT
from test_browser import _processes_with

pytestmark = pytest.mark.browser


def test_the_voila_dashboard_renders_a_live_table_that_filters_and_resubmits(
    page: Any, tmp_path: Path, artifacts: Path
) -> None:
    from playwright.sync_api import expect

    notebook = tmp_path / "dashboard.ipynb"
    shutil.copy(ROOT / "examples" / "dashboard.ipynb", notebook)
    with voila_server(tmp_path / "voila", notebook) as url:
        page.set_viewport_size({"width": 620, "height": 900})  # a narrow dashboard
        page.goto(url)
        table = page.locator(".gw-table")
        # Voilà shows the page once every cell has run (they wait for the jobs to end)
        expect(table).to_have_attribute("data-total", "10", timeout=180_000)
        expect(page.get_by_text("ganga_widgets.start()")).not_to_be_visible()  # no code shown
        expect(table.locator(".gw-summary")).to_contain_text("10 jobs")
        assert_fits(table, ".jp-OutputArea-output")
        table.screenshot(path=str(artifacts / "voila-all.png"))

        table.locator('.gw-status-filter .gw-chip[data-value="failed"]').click()
        expect(table).to_have_attribute("data-total", "2")
        rows = table.locator("tr.gw-row")
        expect(rows).to_have_count(2)
        for row in rows.all():
            expect(row).to_have_attribute("data-status", "failed")
            expect(row.locator(".gw-col-name")).to_contain_text("reco-")

        # Resubmit from a row: the job runs again, and fails again as its code does.
        first = rows.first
        job_id = first.get_attribute("data-id")
        first.locator(".gw-menu-button").click()
        table.locator(".gw-menu .gw-resubmit").click()
        status = table.locator(".gw-bulk .gw-action-status")
        expect(status).to_contain_text("resubmitted", timeout=60_000)
        resubmitted = table.locator(f'tr.gw-row[data-id="{job_id}"]')
        expect(resubmitted).to_have_attribute("data-status", "failed", timeout=60_000)
        table.screenshot(path=str(artifacts / "voila-resubmitted.png"))

        # Its kernel dies (its connection file is in this server's own directories): the
        # dashboard says within seconds that it is not live.
        expect(table).to_have_attribute("data-live", "true")
        kernels = _processes_with(str(tmp_path / "voila"))
        assert kernels, "the dashboard's kernel"
        for pid in kernels:
            os.kill(pid, signal.SIGKILL)
        expect(table).to_have_attribute("data-live", "false", timeout=15_000)
        expect(table.locator(".gw-saved")).to_contain_text("Not live — no word from the kernel")
        table.screenshot(path=str(artifacts / "voila-kernel-gone.png"))
