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
