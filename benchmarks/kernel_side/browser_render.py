"""The kernel side of benchmarks/browser_render.py: the job and the registry the views are
drawn from, the baselines' views in the browser (dom_baseline.js, dom_table.js, read by
anywidget), and the status changes the driver sets off with flag files."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import traitlets as t

from ganga_widgets.ganga_adapter.registry import registry_jobs

from .job_widget import NaiveWidget
from .recording import ON_JOB_STATUS, PER_CHANGE, setup
from .scale import SCALE_JOBS, ended_history, paced, split_job
from .table import NaiveTable

__all__ = [
    "SCALE_JOBS",
    "DomBaseline",
    "DomTable",
    "ended_history",
    "newest_change_on_flags",
    "setup",
    "split_job",
    "storms_on_flags",
    "wait_flag",
]

HERE = Path(__file__).resolve().parent


class DomBaseline(NaiveWidget):
    """Baseline in the browser: one DOM row per subjob, one message per status change (the
    monitors users know)."""

    _esm = HERE / "dom_baseline.js"
    n = t.Int().tag(sync=True)

    def __init__(self, job: Any) -> None:
        super().__init__(n=len(job.subjobs))
        PER_CHANGE[job.id] = self


def wait_flag(path: str, timeout: float = 900) -> None:
    """Block until the driver creates ``path``."""
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} never appeared")
        time.sleep(0.05)


def storms_on_flags(job: Any, flags: str, seconds: float) -> None:
    """In a thread: on flag ``storm1``, every subjob goes to submitting; on ``storm2``, to
    submitted; each paced over ``seconds``; ``<flag>-done`` is written after each."""

    def storms() -> None:
        for flag, status in (("storm1", "submitting"), ("storm2", "submitted")):
            wait_flag(os.path.join(flags, flag))
            paced(job, status, seconds)
            open(os.path.join(flags, flag + "-done"), "w").close()

    threading.Thread(target=storms, daemon=True).start()


_dom_tables: list[NaiveTable] = []


def _every_row() -> list[dict]:
    from ganga_widgets.jobdata import rows

    registry = registry_jobs()
    return [rows.row(registry[i], details=False) for i in sorted(registry, reverse=True)]


def _send_every_row() -> None:
    for table in _dom_tables:
        table.rows = _every_row()


ON_JOB_STATUS.append(_send_every_row)


class DomTable(NaiveTable):
    """Baseline dashboard in the browser: one DOM row per job (from Ganga's index, not read
    whole), every row sent and drawn again on every status change."""

    _esm = HERE / "dom_table.js"

    def __init__(self) -> None:
        super().__init__(rows=_every_row())
        _dom_tables.append(self)


def newest_change_on_flags(count: int, flags: str, seconds: float) -> None:
    """In a thread: on flag ``table1``, the ``count`` newest jobs go to submitting; on
    ``table2``, back to new; each spread over ``seconds`` (by assignment: drafts have no
    backend to submit to); ``<flag>-done`` is written after each."""

    def changes() -> None:
        registry = registry_jobs()
        newest = [registry[i] for i in sorted(registry, reverse=True)[:count]]
        for flag, status in (("table1", "submitting"), ("table2", "new")):
            wait_flag(os.path.join(flags, flag))
            start = time.time()
            for i, job in enumerate(newest):
                lag = start + seconds * i / count - time.time()
                if lag > 0:
                    time.sleep(lag)
                job.status = status
            open(os.path.join(flags, flag + "-done"), "w").close()

    threading.Thread(target=changes, daemon=True).start()
