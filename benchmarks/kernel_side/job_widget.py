"""The kernel side of benchmarks/job_widget.py: for the same job, the project's JobWidget and
a naive baseline widget that sends one message per status change, as monitors that push
every task event do."""

from __future__ import annotations

import sys
import time
from typing import Any

import anywidget
import traitlets as t

from ganga_widgets import JobWidget, session
from ganga_widgets.ganga_adapter import objects
from ganga_widgets.vocabulary.status import STATUS_CODES as CODES

from .recording import PER_CHANGE, setup, status_log

__all__ = ["CODES", "NaiveWidget", "python_job", "setup", "status_log", "storm", "watch"]


class NaiveWidget(anywidget.AnyWidget):
    """Baseline: syncs the changed subjob's status on every change, synchronously."""

    _esm = "export default { render() {} }"
    last = t.Dict().tag(sync=True)


def python_job(code: str, n: int) -> Any:
    ganga = session.gpi()
    return ganga.Job(
        application=ganga.Executable(exe=sys.executable),
        splitter=ganga.ArgSplitter(args=[["-c", code, str(i)] for i in range(n)]),
        backend=ganga.Local(),
    )


def watch(job: Any) -> dict[str, Any]:
    """Display both widgets for ``job``; returns their comm ids (and ours)."""
    from IPython.display import display

    ours = JobWidget(job)
    naive = NaiveWidget()
    PER_CHANGE[job.id] = naive
    display(ours)
    display(naive)
    return {"ours": ours.model_id, "naive": naive.model_id, "widget": ours}


def storm(job: Any) -> dict[str, float]:
    """Every subjob changes status once, back to back, through Ganga's updateStatus (what a
    monitoring thread does); returns when it started and ended."""
    impl = objects.implementation(job)
    start = time.time()
    for sj in impl.subjobs:
        sj.updateStatus("failed", update_master=False)
    return {"start": start, "end": time.time()}
