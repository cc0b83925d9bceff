"""Ganga started in the kernel with every status change recorded (time, job, subjob, status)
and passed on to the baselines as it happens; and the time each of a view's updates takes."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import ganga_widgets
from ganga_widgets.ganga_adapter import objects

STATUS_LOG: list[tuple[float, int, int | None, str]] = []  # (time, master id, subjob, status)
# Baselines sent each subjob's change at once, synchronously, by the id of their job.
PER_CHANGE: dict[int, Any] = {}
# Called after each change of a job's own status (the baseline dashboards send every row).
ON_JOB_STATUS: list[Callable[[], None]] = []


def setup(gangadir: str) -> None:
    ganga_widgets.start(gangadir=gangadir, poll={"Local": 1})
    job_class = objects.job_class()
    original = job_class.__setattr__

    def recording(self: Any, name: str, value: Any) -> None:
        original(self, name, value)
        if name == "status" and type(self) is job_class:
            master = self.master
            master_id = master.id if master is not None else self.id
            subjob = self.id if master is not None else None
            STATUS_LOG.append((time.time(), master_id, subjob, value))
            baseline = PER_CHANGE.get(master_id)
            if baseline is not None and subjob is not None:
                baseline.last = {"subjob": subjob, "status": value}
            if subjob is None:
                for call in ON_JOB_STATUS:
                    call()

    job_class.__setattr__ = recording


def status_log(master_id: int, since: float) -> str:
    return json.dumps([e for e in STATUS_LOG if e[1] == master_id and e[0] >= since])


def timed(widget: Any, method: str = "on_changes") -> list[float]:
    """Record how long each of the dispatcher's calls to ``widget`` takes (seconds)."""
    times: list[float] = []
    inner = getattr(widget, method)

    def timed_call(changes: dict, tick: bool) -> None:
        started = time.perf_counter()
        inner(changes, tick)
        times.append(time.perf_counter() - started)

    setattr(widget, method, timed_call)
    return times
