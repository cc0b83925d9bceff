"""The notebooks benchmarks/browser_render.py opens in JupyterLab: a split job's widget with
its baseline, an ended job's statistics, the dashboard over a registry built beforehand. Each
cell drives the kernel-side code of benchmarks/kernel_side/browser_render.py."""

from __future__ import annotations

from pathlib import Path

import nbformat
from kernel import environment, kernel_side
from table import build


def notebook(path: Path, cells: list[str]) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(nb, path)
    return path


def job_notebook(base: Path, n: int, flags: Path, seconds: float) -> Path:
    return notebook(base / "job.ipynb", [
        kernel_side("browser_render")
        + f"k.setup({str(base / 'gangadir-job')!r}); k.split_job({n}); job = k.SCALE_JOBS[{n}]\n"
        f"k.storms_on_flags(job, {str(flags)!r}, {seconds})",
        "from ganga_widgets import JobWidget\nw = JobWidget(job)\nw",
        f"k.wait_flag({str(flags / 'baseline')!r})\nw.close()\nk.DomBaseline(job)",
    ])  # fmt: skip


def stats_notebook(base: Path, n: int) -> Path:
    """A job of ``n`` subjobs that all ended, with their times; the kernel idle after."""
    return notebook(base / "stats.ipynb", [
        kernel_side("browser_render")
        + f"k.setup({str(base / 'gangadir-stats')!r}); k.split_job({n}); k.ended_history({n})",
        f"from ganga_widgets import JobWidget\nw = JobWidget(k.SCALE_JOBS[{n}])\nw",
    ])  # fmt: skip


def table_notebook(base: Path, jobs: int, changes: int, flags: Path, seconds: float) -> Path:
    """A registry of ``jobs`` new jobs, built beforehand in a process of its own."""
    gangadir = base / "gangadir-table"
    home = base / "build-home"
    home.mkdir()
    build(gangadir, jobs, 0, environment(home))
    return notebook(base / "table.ipynb", [
        kernel_side("browser_render")
        + f"k.setup({str(gangadir)!r})\n"
        f"k.newest_change_on_flags({changes}, {str(flags)!r}, {seconds})",
        "from ganga_widgets import JobTable\nt = JobTable()\nt",
        f"k.wait_flag({str(flags / 'table-baseline')!r})\nt.close()\nk.DomTable()",
    ])  # fmt: skip
