"""Every notebook in examples/ runs top to bottom in a real kernel, as a newcomer would.

Each runs with nbclient in a fresh HOME (so a fresh ~/gangadir); the executed copy, with its
widget state, is saved to test-artifacts/ for looking at.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat
import pytest
from notebooks import EXAMPLES, execute, text_of

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def widget_outputs(nb: Any) -> list[dict]:
    """The widgets' outputs; a cell that shows a widget shows nothing else (no stray copies)."""
    found = []
    for cell in nb.cells:
        shown = [o for o in cell.get("outputs", []) if "data" in o]
        views = [o for o in shown if WIDGET_VIEW in o["data"]]
        assert not views or len(shown) == len(views), f"stray outputs beside a widget: {shown}"
        found += views
    return found


def test_examples_are_committed_without_outputs() -> None:
    for path in sorted(EXAMPLES.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        dirty = [i for i, c in enumerate(nb.cells) if c.get("outputs") or c.get("execution_count")]
        assert not dirty, f"{path.name}: cells {dirty} carry outputs; clear them before committing"
        assert "widgets" not in nb.metadata, f"{path.name}: saved widget state; clear it"


def test_quickstart(tmp_path: Path, artifacts: Path) -> None:
    nb = execute("quickstart.ipynb", tmp_path / "home", artifacts)
    [view] = widget_outputs(nb)
    # Where no widget frontend runs, the same output shows the job as text.
    assert re.search(r"Job \d+ quickstart", view["data"]["text/plain"])
    assert "gangadir" in text_of(nb)


def test_montecarlo_over_50_subjobs_merges_and_plots(tmp_path: Path, artifacts: Path) -> None:
    nb = execute("montecarlo.ipynb", tmp_path / "home", artifacts)
    printed = text_of(nb)
    events = int(re.search(r"([\d,]+) events in 50 subjobs", printed).group(1).replace(",", ""))
    assert 50 * 15_000 < events <= 50 * 26_667, printed
    peak = float(re.search(r"peak at ([\d.]+) GeV", printed).group(1))
    assert 89.0 < peak < 93.5, printed
    assert any("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))


def test_submit_shows_the_failed_call(tmp_path: Path, artifacts: Path) -> None:
    nb = execute("submit.ipynb", tmp_path / "home", artifacts)
    assert re.search(r"pi ~ 3\.1\d+ from 7 runs; failed: \[5\]", text_of(nb)), text_of(nb)


@pytest.mark.usefixtures("condor_pool")
def test_htcondor_walkthrough(tmp_path: Path, artifacts: Path) -> None:
    nb = execute("htcondor.ipynb", tmp_path / "home", artifacts, timeout=300)
    printed = text_of(nb)
    assert "ended: completed" in printed, printed
    assert "held: finished in under a minute: held for inspection" in printed, printed
    assert "No machines matched the jobs's constraints" in printed, printed  # why idle
    assert "job 1 killed" in printed and "job 2 killed" in printed, printed
    assert len(widget_outputs(nb)) == 3


def test_dashboard(tmp_path: Path, artifacts: Path) -> None:
    nb = execute("dashboard.ipynb", tmp_path / "home", artifacts)
    [view] = widget_outputs(nb)
    assert "9 jobs (" in view["data"]["text/plain"] or "10 jobs (" in view["data"]["text/plain"]
    printed = text_of(nb)
    assert "10 jobs (6 completed, 2 failed, 1 running, 1 new)" in printed.replace("\n", " ")
    assert "killed 1 job" in printed
    # the jobs' own output (print('ok')) is theirs: Ganga once ran their code in the kernel
    assert not re.search(r"^ok$", printed, re.M), printed


def test_start_console_true_prints_gangas_own_messages_again(
    tmp_path: Path, artifacts: Path
) -> None:
    """Ganga's messages are off the cells by default (every example above checks it); the
    switch brings them back for those who want them."""
    code = (
        "import sys, ganga_widgets\n"
        "ganga_widgets.start(console=True)\n"
        "g = ganga_widgets.session.gpi()\n"
        "j = g.Job(application=g.Executable(exe=sys.executable, args=['-c', 'pass']),\n"
        "          backend=g.Local())\n"
        "j.submit()"
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nb = execute("console.ipynb", tmp_path / "home", artifacts, nb=nb, ganga_quiet=False)
    assert re.search(r"INFO +submitting job \d+", text_of(nb)), text_of(nb)
