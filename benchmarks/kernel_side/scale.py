"""The kernel side of benchmarks/scale.py: jobs of thousands of subjobs split by Ganga, their
updates' kernel time against a view that recounts everything, status storms, and the memory
of many open views."""

from __future__ import annotations

import collections
import gc
import os
import time
import tracemalloc
import weakref
from typing import Any

import anywidget
import traitlets as t

from ganga_widgets import JobWidget, session
from ganga_widgets.dispatcher import dispatcher
from ganga_widgets.ganga_adapter import objects

from .job_widget import CODES, watch
from .recording import PER_CHANGE, setup, timed

__all__ = [
    "CODES",
    "SCALE_JOBS",
    "ended_history",
    "flush_costs",
    "memory",
    "paced",
    "setup",
    "split_job",
    "statistics_costs",
    "storm_paced",
]

SCALE_JOBS: dict[int, Any] = {}


def rss_mb() -> float:
    """The kernel's resident memory."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def split_job(n: int) -> dict[str, float]:
    """A job of ``n`` subjobs split by Ganga but not submitted (submitting 10,000 local
    processes would measure the machine, not the view); returns what it cost Ganga."""
    from GangaCore.Core.GangaRepository import getRegistry
    from GangaCore.Utility.Config import getConfig

    ganga = session.gpi()
    # Ganga's own auto-flush (every 30 s) would write the job during a long split, and the
    # write timed below would find nothing to do (a 10,000-subjob run reported 0.0 s).
    registry_config = getConfig("Registry")
    auto_flush = registry_config["EnableAutoFlush"]
    registry_config.setSessionValue("EnableAutoFlush", False)
    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    job = ganga.Job(
        name=f"scale-{n}",
        application=ganga.Executable(exe="/bin/true"),
        splitter=ganga.ArgSplitter(args=[[str(i)] for i in range(n)]),
        backend=ganga.Local(),
    )
    impl = objects.implementation(job)
    impl._doSplitting()
    SCALE_JOBS[n] = job
    costs = {"split_s": time.perf_counter() - started, "rss_mb": rss_mb() - before}
    # Ganga's registry writes dirty jobs to disk every 30 s, holding the job's lock (a status
    # change waits for it): timed here, and done now so that it does not land in the middle
    # of the widget's timings.
    for key in ("write_s", "rewrite_after_one_change_s"):
        started = time.perf_counter()
        getRegistry("jobs").flush_all()
        costs[key] = time.perf_counter() - started
        impl.subjobs[0].status = "new"  # dirty again, unchanged
    getRegistry("jobs").flush_all()
    registry_config.setSessionValue("EnableAutoFlush", auto_flush)
    return costs


def ended_history(n: int) -> None:
    """Every subjob of the ``n``-subjob job ends ``completed``, with submitted, running and
    final times as a real run leaves them (queue waits up to 10 min, runtimes of 1-60 min,
    a few stragglers), so that the statistics panel has every figure to draw. Written to
    the registry at once: Ganga's own write of the changed job would land in a timing."""
    import datetime
    import random

    from GangaCore.Core.GangaRepository import getRegistry

    rng = random.Random(n)
    start = time.time() - 6 * 3600
    for subjob in objects.implementation(SCALE_JOBS[n]).subjobs:
        submitted = start + rng.uniform(0, 60)
        running = submitted + rng.expovariate(1 / 120) % 600
        runtime = rng.lognormvariate(6.5, 0.6) * (4 if rng.random() < 0.01 else 1)
        stamps = {"submitted": submitted, "running": running, "final": running + runtime}
        subjob.time.timestamps = {  # naive UTC, as Ganga's own utcnow() stamps
            key: datetime.datetime.fromtimestamp(t, datetime.UTC).replace(tzinfo=None)
            for key, t in stamps.items()
        }
        subjob.status = "completed"
    getRegistry("jobs").flush_all()


class RecountWidget(anywidget.AnyWidget):
    """Baseline: on every flush, recounts every subjob's status and rebuilds the per-subjob
    codes from the job's objects (a view without incremental counts)."""

    _esm = "export default { render() {} }"
    counts = t.Dict().tag(sync=True)
    cells = t.Unicode().tag(sync=True)

    def __init__(self, job: Any) -> None:
        super().__init__()
        self._job = objects.implementation(job)
        dispatcher().subscribe(self._job.id, self)
        self.on_changes({}, False)

    def on_changes(self, changes: dict, tick: bool) -> None:
        statuses = [sj.status for sj in self._job.subjobs]
        with self.hold_sync():
            self.counts = dict(collections.Counter(statuses))
            self.cells = "".join(CODES.get(s, "?") for s in statuses)

    def wants_tick(self) -> bool:
        return False


def flush_costs(n: int, flushes: int) -> dict[str, Any]:
    """One subjob changes per flush; kernel time of each flush, ours and the baseline's."""
    from IPython.display import display

    job = SCALE_JOBS[n]
    subjobs = objects.implementation(job).subjobs
    started = time.perf_counter()
    ours = JobWidget(job)
    opened = time.perf_counter() - started
    base = RecountWidget(job)
    display(ours)
    display(base)
    ours_times, base_times = timed(ours), timed(base)
    # change -> both flushed: long when Ganga's registry write holds the job
    waits = _flip_each_flush(subjobs, flushes, ("new", "submitting"), ours_times, base_times)
    ours.close()
    base.close()
    return {"open_s": opened, "ours_s": ours_times, "baseline_s": base_times, "waits_s": waits}


def _flip_each_flush(
    subjobs: Any, flushes: int, statuses: tuple[str, str], *timed: list[float]
) -> list[float]:
    """Per flush, one subjob (spread over the job) flips between two statuses; waits until
    every timed widget has flushed it. Returns the seconds from each change to that."""
    waits = []
    for k in range(flushes):
        subjob = subjobs[(k * 7919) % len(subjobs)]
        changed = time.monotonic()
        subjob.status = statuses[1] if subjob.status == statuses[0] else statuses[0]
        while any(len(times) <= k for times in timed):
            if time.monotonic() > changed + 300:
                raise RuntimeError(f"flush {k} of {len(subjobs)} subjobs never came")
            time.sleep(0.005)
        waits.append(time.monotonic() - changed)
    return waits


def statistics_costs(n: int, flushes: int) -> dict[str, Any]:
    """One subjob goes running <-> completed per flush (what the statistics read a subjob's
    times for): kernel time of each flush of a JobWidget with its statistics panel open,
    against one without, on the same job and the same flushes."""
    from IPython.display import display

    job = SCALE_JOBS[n]
    subjobs = objects.implementation(job).subjobs
    plain, stats = JobWidget(job), JobWidget(job)
    started = time.perf_counter()
    stats.statistics()  # the panel opened: every subjob read once
    opened = time.perf_counter() - started
    display(plain)
    display(stats)
    plain_times, stats_times = timed(plain), timed(stats)
    _flip_each_flush(subjobs, flushes, ("running", "completed"), plain_times, stats_times)
    plain.close()
    stats.close()
    return {"opened_s": opened, "plain_s": plain_times, "statistics_s": stats_times}


_storm_views: dict[int, dict[str, str]] = {}


def storm_paced(n: int, seconds: float, status: str, via: str, baseline: bool) -> dict:
    """Every subjob of the ``n``-subjob job goes to ``status`` through Ganga's updateStatus
    (``via="updateStatus"``, what monitoring does) or a bare assignment (``"setattr"``, as
    fast as a status can change), spread over ``seconds``. Watched by JobWidget and (with
    ``baseline``) the one-message-per-change baseline, the same two for every storm on the
    job; returns their comm ids, when it ran and the time spent in the changing thread."""
    job = SCALE_JOBS[n]
    if n not in _storm_views:
        ids = watch(job)
        ids.pop("widget")  # kept alive by its open comm
        _storm_views[n] = ids
    if not baseline:
        PER_CHANGE.pop(job.id, None)  # it stays on the page, but no longer gets the changes
    start = time.time()
    in_ganga = paced(job, status, seconds, via)
    return {**_storm_views[n], "start": start, "end": time.time(), "in_ganga_s": in_ganga}


def paced(job: Any, status: str, seconds: float, via: str = "updateStatus") -> float:
    """Every subjob to ``status``, spread evenly over ``seconds`` (or as fast as Ganga
    goes); returns the time spent inside Ganga."""
    subjobs = list(objects.implementation(job).subjobs)
    in_ganga = 0.0
    start = time.time()
    for i, subjob in enumerate(subjobs):
        lag = start + seconds * i / len(subjobs) - time.time()
        if lag > 0:
            time.sleep(lag)
        called = time.perf_counter()
        if via == "setattr":
            subjob.status = status
        else:
            subjob.updateStatus(status, update_master=False)
        in_ganga += time.perf_counter() - called
    return in_ganga


def memory(n: int, count: int) -> dict[str, Any]:
    """Python memory of ``count`` JobWidgets open (displayed) on the ``n``-subjob job, and
    what is left of them once closed."""
    from IPython.display import display

    job = SCALE_JOBS[n]
    gc.collect()
    listeners = dispatcher().listener_count()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    rss_before = rss_mb()
    widgets = [JobWidget(job) for _ in range(count)]
    for widget in widgets:
        display(widget)
    opened = tracemalloc.get_traced_memory()[0] - base
    rss_open = rss_mb() - rss_before
    refs = [weakref.ref(w) for w in widgets]
    for widget in widgets:
        widget.close()
    del widgets, widget
    gc.collect()
    retained = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    return {
        "widgets": count,
        "open_mb": opened / 2**20,
        "rss_open_mb": rss_open,
        "retained_mb": retained / 2**20,
        "alive_after_close": sum(r() is not None for r in refs),
        "listeners_left": dispatcher().listener_count() - listeners,
    }
