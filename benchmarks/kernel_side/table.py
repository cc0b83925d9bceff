"""The kernel side of benchmarks/table.py: a registry built to size, and the naive baseline
dashboard the JobTable is measured against."""

from __future__ import annotations

import sys
import time
from typing import Any

import anywidget
import traitlets as t

from ganga_widgets import session
from ganga_widgets.dispatcher import wait_for
from ganga_widgets.ganga_adapter import objects
from ganga_widgets.ganga_adapter.registry import registry_jobs

from .job_widget import python_job
from .recording import ON_JOB_STATUS, setup, timed

__all__ = [
    "NaiveTable",
    "build_registry",
    "loaded_jobs",
    "naive_table",
    "setup",
    "table_update_costs",
    "waiting_jobs",
]


class NaiveTable(anywidget.AnyWidget):
    """Baseline dashboard: every job read whole and sent; live, the whole page is sent again
    on every status change, synchronously (what a first, simple dashboard does)."""

    _esm = "export default { render() {} }"
    rows = t.List().tag(sync=True)


_live_naive: list[NaiveTable] = []


def build_registry(gangadir: str, n: int, split_jobs: int, subjobs: int) -> None:
    """A registry of ``n`` jobs: ``split_jobs`` completed ones with ``subjobs`` subjobs each,
    the rest new (creating a job costs ~14 ms; running thousands would take hours)."""

    setup(gangadir)
    ganga = session.gpi()
    done = []
    for i in range(split_jobs):
        job = python_job("pass", subjobs)
        job.name = f"split-{i}"
        job.submit()
        done.append(job)
    for i in range(n - split_jobs):
        app = ganga.Executable(exe=sys.executable)
        ganga.Job(name=f"draft-{i}", comment="benchmark", application=app, backend=ganga.Local())
    for job in done:
        wait_for(job.id, lambda job=job: job.status == "completed", 300, "completion")


def naive_table(everything: bool) -> NaiveTable:
    """The baseline, displayed: every job (``everything``) or the newest 25, read whole."""
    from IPython.display import display

    table = NaiveTable(rows=_naive_rows(None if everything else 25))
    if not everything:
        _live_naive.append(table)
    display(table)
    return table


def _naive_rows(limit: int | None) -> list[dict]:
    from ganga_widgets.jobdata import rows

    registry = registry_jobs()
    ids = sorted(registry, reverse=True)[:limit]
    return [rows.row(registry[i], details=True) for i in ids]


def _send_live_pages() -> None:
    for table in _live_naive:
        table.rows = _naive_rows(25)


ON_JOB_STATUS.append(_send_live_pages)


def loaded_jobs() -> int:
    """How many jobs of the registry Ganga has read from disk whole."""
    return sum(objects.is_loaded(job) for job in registry_jobs().values())


def table_update_costs(table: Any, flushes: int) -> dict[str, Any]:
    """The newest job changes status once per flush: kernel time of each of the table's
    updates, against the naive live dashboard's (the page of 25 read whole and sent)."""
    ours = timed(table, "on_jobs_changed")
    naive = NaiveTable()
    job = registry_jobs()[max(registry_jobs())]
    baseline = []
    for k in range(flushes):
        job.status = "submitting" if job.status == "new" else "new"
        started = time.perf_counter()
        naive.rows = _naive_rows(25)
        baseline.append(time.perf_counter() - started)
        deadline = time.monotonic() + 10
        while len(ours) <= k:
            if time.monotonic() > deadline:
                raise RuntimeError(f"update {k} of the table never came")
            time.sleep(0.005)
    job.status = "new"
    naive.close()
    return {"ours_s": ours, "baseline_s": baseline}


def waiting_jobs(n: int, flag: str) -> list[Any]:
    """``n`` running jobs that all end when ``flag`` exists."""
    ganga = session.gpi()
    code = f"import os, time\nwhile not os.path.exists({flag!r}):\n    time.sleep(0.02)"
    app = ganga.Executable(exe=sys.executable, args=["-c", code])
    jobs = [ganga.Job(name=f"waits-{i}", application=app, backend=ganga.Local()) for i in range(n)]
    for job in jobs:
        job.submit()
    deadline = time.time() + 120
    while time.time() < deadline and any(j.status != "running" for j in jobs):
        time.sleep(0.1)
    late = [j.id for j in jobs if j.status != "running"]
    if late:
        raise RuntimeError(f"jobs {late} not running after 120 s")
    return jobs
