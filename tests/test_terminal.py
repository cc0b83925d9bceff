"""The views in a terminal: rich's protocol (``rich.print(widget)``, ``Console().print(run)``)
and terminal IPython, whose prompt shows the same rich view as its repr."""

from __future__ import annotations

import io
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from conditions import wait_until

pytestmark = pytest.mark.ganga


def unlucky(x: int) -> int:
    if x == 7:
        raise ValueError(f"seven is unlucky (x={x})")
    return x * x


def _recorded(*objects: Any, width: int = 100) -> list[str]:
    """What a console ``width`` columns wide prints for each object, as text."""
    from rich.console import Console

    printed = []
    for obj in objects:
        console = Console(record=True, width=width, file=io.StringIO(), force_jupyter=False)
        console.print(obj)
        printed.append(console.export_text())
    return printed


def test_rich_prints_a_run_its_widget_and_the_table(ganga: Any, capsys: Any) -> None:
    import rich

    from ganga_widgets import JobTable, JobWidget, submit

    run = submit(unlucky, [3, 7], name="[red]sq[/red]")
    run.wait(progress=False)
    widget = JobWidget(run.job)
    wait_until(lambda: widget.summary["status"] == "failed", 30, "the widget to show the end")

    of_run, of_widget = _recorded(run, widget)
    assert of_run == of_widget  # one view, whichever object is printed
    assert of_run.lstrip().startswith("╭"), of_run  # a panel, not a repr
    assert f"Job {run.id} [red]sq[/red]" in of_run  # job text is never markup
    assert "1 completed, 1 failed of 2 subjobs" in of_run, of_run
    assert f"✗ subjob {run.id}.1: raised ValueError: seven is unlucky (x=7)" in of_run

    table = JobTable()
    capsys.readouterr()
    rich.print(table)
    assert "[red]sq[/red]" in capsys.readouterr().out
    for width, columns in (
        (120, "ID Name Application Backend Status Subjobs Submitted Duration"),
        (80, "ID Name Backend Status Subjobs Duration"),  # the name keeps its room
    ):
        [printed] = _recorded(table, width=width)
        lines = printed.splitlines()
        header = next(line for line in lines if "Status" in line)
        assert [c for c in header.split() if c != "┃"] == columns.split(), printed
        [row] = [line for line in lines if "[red]sq" in line]
        assert row.split("│")[0].strip() == str(run.id), printed
        assert "[red]sq[/red]" in row and "failed" in row and "1/2" in row, printed
        assert "1 job (1 failed)" in printed


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.mark.timeout(240)
def test_terminal_ipython_shows_the_rich_view_at_its_prompt(tmp_path: Path) -> None:
    """In IPython in a terminal (a real pseudo-terminal), a JobWidget or a run left as a
    cell's value prints as the panel rich draws, not as a one-line repr."""
    import pexpect

    ipython = Path(sys.executable).with_name("ipython")
    child = pexpect.spawn(
        str(ipython), ["--no-banner", "--simple-prompt", "--colors=NoColor"],
        env={**os.environ, "HOME": str(tmp_path), "TERM": "xterm-256color"},
        encoding="utf-8", timeout=120, dimensions=(50, 120),
    )  # fmt: skip
    prompt = 1

    def typed(line: str) -> str:
        """What IPython prints for a line, once it prompts for the next."""
        nonlocal prompt
        child.sendline(line)
        prompt += 1
        child.expect_exact(f"In [{prompt}]:")
        return ANSI.sub("", child.before)

    try:
        child.expect_exact("In [1]:")
        typed(f"import ganga_widgets; ganga_widgets.start(gangadir={str(tmp_path / 'gd')!r})")
        typed("def square(x): return x * x")
        typed("run = ganga_widgets.submit(square, [2, 3], backend='Local', name='sq')")
        typed("run.wait(progress=False)")
        shown = typed("run")
        widget = typed("ganga_widgets.JobWidget(run.job)")
        results = typed("run.results()")
    finally:
        child.sendline("exit")
        child.expect(pexpect.EOF)
    for output in (shown, widget):
        assert "╭" in output and "Job 0 sq" in output, output
        assert "2 completed of 2 subjobs" in output, output
        assert "Run(" not in output and "JobWidget(" not in output.split("Out[")[-1], output
    assert "[4, 9]" in results, results
