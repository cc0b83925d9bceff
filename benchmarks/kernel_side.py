"""Code the benchmarks run inside a real Jupyter kernel (imported there by the driver).

It records every status change Ganga makes (time, subjob, status) and sets up, for the same
job, the project's JobWidget and a naive baseline widget that sends one message per status
change, as monitors that push every task event do.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import anywidget
import traitlets as t

import ganga_widgets
from ganga_widgets import JobWidget, session, state

STATUS_LOG: list[tuple[float, int, int | None, str]] = []  # (time, master id, subjob, status)
_naive: dict[int, NaiveWidget] = {}


class NaiveWidget(anywidget.AnyWidget):
    """Baseline: syncs the changed subjob's status on every change, synchronously."""

    _esm = "export default { render() {} }"
    last = t.Dict().tag(sync=True)


def setup(gangadir: str) -> None:
    ganga_widgets.start(gangadir=gangadir, poll={"Local": 1})
    job_class = session.job_class()
    original = job_class.__setattr__

    def recording(self: Any, name: str, value: Any) -> None:
        original(self, name, value)
        if name == "status" and type(self) is job_class:
            master = self.master
            master_id = master.id if master is not None else self.id
            subjob = self.id if master is not None else None
            STATUS_LOG.append((time.time(), master_id, subjob, value))
            naive = _naive.get(master_id)
            if naive is not None and subjob is not None:
                naive.last = {"subjob": subjob, "status": value}
            if subjob is None:
                _on_status_for_naive_tables()

    job_class.__setattr__ = recording


def python_job(code: str, n: int) -> Any:
    ganga = session.gpi()
    return ganga.Job(
        application=ganga.Executable(exe=sys.executable),
        splitter=ganga.ArgSplitter(args=[["-c", code, str(i)] for i in range(n)]),
        backend=ganga.Local(),
    )


def watch(job: Any) -> dict[str, str]:
    """Display both widgets for ``job``; returns their comm ids."""
    from IPython.display import display

    ours = JobWidget(job)
    naive = NaiveWidget()
    _naive[job.id] = naive
    display(ours)
    display(naive)
    return {"ours": ours.model_id, "naive": naive.model_id, "widget": ours}


def status_log(master_id: int, since: float) -> str:
    return json.dumps([e for e in STATUS_LOG if e[1] == master_id and e[0] >= since])


def storm(job: Any) -> dict[str, float]:
    """Every subjob changes status once, back to back, through Ganga's updateStatus (what a
    monitoring thread does); returns when it started and ended."""
    impl = session.implementation(job)
    start = time.time()
    for sj in impl.subjobs:
        sj.updateStatus("failed", update_master=False)
    return {"start": start, "end": time.time()}


CODES = state.STATUS_CODES


# -- JobTable (benchmarks/table.py) ---------------------------------------------------------


class NaiveTable(anywidget.AnyWidget):
    """Baseline dashboard: every job read whole and sent; live, the whole page is sent again
    on every status change, synchronously (what a first, simple dashboard does)."""

    _esm = "export default { render() {} }"
    rows = t.List().tag(sync=True)


_live_naive: list[NaiveTable] = []


def build_registry(gangadir: str, n: int, split_jobs: int, subjobs: int) -> None:
    """A registry of ``n`` jobs: ``split_jobs`` completed ones with ``subjobs`` subjobs each,
    the rest new (creating a job costs ~14 ms; running thousands would take hours)."""
    from ganga_widgets import events

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
        events.wait_for(job.id, lambda job=job: job.status == "completed", 300, "completion")


def naive_table(everything: bool) -> NaiveTable:
    """The baseline, displayed: every job (``everything``) or the newest 25, read whole."""
    from IPython.display import display

    table = NaiveTable(rows=_naive_rows(None if everything else 25))
    if not everything:
        _live_naive.append(table)
    display(table)
    return table


def _naive_rows(limit: int | None) -> list[dict]:
    from ganga_widgets import rows

    registry = session.registry_jobs()
    ids = sorted(registry, reverse=True)[:limit]
    return [rows.row(registry[i], details=True) for i in ids]


def _on_status_for_naive_tables() -> None:
    for table in _live_naive:
        table.rows = _naive_rows(25)


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
