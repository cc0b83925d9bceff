"""Code the benchmarks run inside a real Jupyter kernel (imported there by the driver).

It records every status change Ganga makes (time, subjob, status) and sets up, for the same
job, the project's JobWidget and a naive baseline widget that sends one message per status
change, as monitors that push every task event do.
"""

from __future__ import annotations

import collections
import faulthandler
import gc
import json
import os
import signal
import sys
import time
import tracemalloc
import weakref
from typing import Any

import anywidget
import traitlets as t

import ganga_widgets
from ganga_widgets import JobWidget, session
from ganga_widgets.dispatcher import dispatcher, wait_for
from ganga_widgets.ganga_adapter import objects
from ganga_widgets.ganga_adapter.registry import registry_jobs
from ganga_widgets.vocabulary.status import STATUS_CODES

# A benchmark killed at its time limit first sends its kernels SIGUSR1 (benchmarks/__main__.py):
# each writes every thread's stack to a file of its own, as ipykernel sends fd 2 through a pipe
# that dies with the kernel.
_STACKS = os.environ.get("GW_BENCH_STACKS")
if _STACKS:
    _stacks_file = open(f"{_STACKS}-{os.getpid()}.log", "w")  # open for its life
    faulthandler.register(signal.SIGUSR1, file=_stacks_file, all_threads=True)

STATUS_LOG: list[tuple[float, int, int | None, str]] = []  # (time, master id, subjob, status)
_naive: dict[int, NaiveWidget] = {}


class NaiveWidget(anywidget.AnyWidget):
    """Baseline: syncs the changed subjob's status on every change, synchronously."""

    _esm = "export default { render() {} }"
    last = t.Dict().tag(sync=True)


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
    impl = objects.implementation(job)
    start = time.time()
    for sj in impl.subjobs:
        sj.updateStatus("failed", update_master=False)
    return {"start": start, "end": time.time()}


CODES = STATUS_CODES


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


def _on_status_for_naive_tables() -> None:
    for table in _live_naive:
        table.rows = _naive_rows(25)
    for table in _dom_tables:
        table.rows = _every_row()


def loaded_jobs() -> int:
    """How many jobs of the registry Ganga has read from disk whole."""
    return sum(objects.is_loaded(job) for job in registry_jobs().values())


def table_update_costs(table: Any, flushes: int) -> dict[str, Any]:
    """The newest job changes status once per flush: kernel time of each of the table's
    updates, against the naive live dashboard's (the page of 25 read whole and sent)."""
    ours = _timed(table, "on_jobs_changed")
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


# -- scale (benchmarks/scale.py) ------------------------------------------------------------

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


def _timed(widget: Any, method: str = "on_changes") -> list[float]:
    """Record how long each of the dispatcher's calls to ``widget`` takes (seconds)."""
    times: list[float] = []
    inner = getattr(widget, method)

    def timed(changes: dict, tick: bool) -> None:
        started = time.perf_counter()
        inner(changes, tick)
        times.append(time.perf_counter() - started)

    setattr(widget, method, timed)
    return times


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
    ours_times, base_times = _timed(ours), _timed(base)
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
    plain_times, stats_times = _timed(plain), _timed(stats)
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
        _naive.pop(job.id, None)  # it stays on the page, but no longer gets the changes
    start = time.time()
    in_ganga = _paced(job, status, seconds, via)
    return {**_storm_views[n], "start": start, "end": time.time(), "in_ganga_s": in_ganga}


def _paced(job: Any, status: str, seconds: float, via: str = "updateStatus") -> float:
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


# -- in the browser (benchmarks/browser_render.py) ---------------------------------------

DOM_BASELINE_ESM = """
export default { render({ model, el }) {
  const started = performance.now();
  const rows = [];
  const box = document.createElement("div");
  for (let i = 0; i < model.get("n"); i++) {
    const row = document.createElement("div");
    row.textContent = `subjob ${i}: new`;
    rows.push(row);
    box.append(row);
  }
  el.classList.add("gw-dom-baseline");
  el.dataset.changes = "0";
  el.append(box);
  model.on("change:last", () => {
    const t = performance.now();
    const last = model.get("last");
    rows[last.subjob].textContent = `subjob ${last.subjob}: ${last.status}`;
    el.dataset.changes = String(Number(el.dataset.changes) + 1);
    performance.measure("baseline:update", { start: t });
  });
  performance.measure("baseline:render", { start: started });
} };
"""


class DomBaseline(NaiveWidget):
    """Baseline in the browser: one DOM row per subjob, one message per status change (the
    monitors users know)."""

    _esm = DOM_BASELINE_ESM
    n = t.Int().tag(sync=True)

    def __init__(self, job: Any) -> None:
        super().__init__(n=len(job.subjobs))
        _naive[job.id] = self


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
    import threading

    def storms() -> None:
        for flag, status in (("storm1", "submitting"), ("storm2", "submitted")):
            wait_flag(os.path.join(flags, flag))
            _paced(job, status, seconds)
            open(os.path.join(flags, flag + "-done"), "w").close()

    threading.Thread(target=storms, daemon=True).start()


DOM_TABLE_ESM = """
export default { render({ model, el }) {
  const started = performance.now();
  const body = document.createElement("tbody");
  const draw = () => body.replaceChildren(...model.get("rows").map((r) => {
    const tr = document.createElement("tr");
    for (const v of [r.id, r.name, r.status, r.backend]) {
      const td = document.createElement("td");
      td.textContent = String(v);
      tr.append(td);
    }
    return tr;
  }));
  const table = document.createElement("table");
  table.append(body);
  el.classList.add("gw-dom-table");
  el.dataset.changes = "0";
  el.append(table);
  draw();
  model.on("change:rows", () => {
    const t = performance.now();
    draw();
    el.dataset.changes = String(Number(el.dataset.changes) + 1);
    performance.measure("baseline:update", { start: t });
  });
  performance.measure("baseline:render", { start: started });
} };
"""
_dom_tables: list[NaiveTable] = []


def _every_row() -> list[dict]:
    from ganga_widgets.jobdata import rows

    registry = registry_jobs()
    return [rows.row(registry[i], details=False) for i in sorted(registry, reverse=True)]


class DomTable(NaiveTable):
    """Baseline dashboard in the browser: one DOM row per job (from Ganga's index, not read
    whole), every row sent and drawn again on every status change."""

    _esm = DOM_TABLE_ESM

    def __init__(self) -> None:
        super().__init__(rows=_every_row())
        _dom_tables.append(self)


def newest_change_on_flags(count: int, flags: str, seconds: float) -> None:
    """In a thread: on flag ``table1``, the ``count`` newest jobs go to submitting; on
    ``table2``, back to new; each spread over ``seconds`` (by assignment: drafts have no
    backend to submit to); ``<flag>-done`` is written after each."""
    import threading

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
