"""How long Ganga's registry write of a big job takes, and how long a status change waits.

Usage:  .venv-3.11/bin/python benchmarks/registry_write.py [--sizes 1000 10000] [--rewrites 3]

Ganga writes a changed job to disk at submission and every 30 s after a change, holding the
job: a status change (from monitoring, a kill, a widget's button) waits for the write. For
n subjobs (an ``ArgSplitter`` job, split, not submitted), each mode in a fresh process:
- bare: Ganga as it comes (no ganga_widgets guard);
- ours: with ganga_widgets started (the guards of ganga_adapter/registry_writes.py).
Timed: the first write of the job, then a rewrite after one subjob changed (median of
``--rewrites``). Meanwhile a thread changes a subjob's status every 2 ms; its longest wait
in each is reported, against its longest before any write (the floor: the change's own
cost), and beside the longest garbage collection meanwhile (which stalls every thread).
Results: a markdown table, JSON in benchmarks/results/.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from common import bare_ganga, save

HERE = Path(__file__).resolve().parent


class StatusChanges(threading.Thread):
    """Sets a subjob's status every 2 ms; keeps when each change began and how long it took."""

    def __init__(self, subjob: Any) -> None:
        super().__init__(daemon=True)
        self.subjob, self.took, self.stop = subjob, [], threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            began = time.perf_counter()
            self.subjob.status = "new"  # as any change: the job's lock, the subjob dirty
            self.took.append((began, time.perf_counter() - began))
            time.sleep(0.002)

    def longest(self, start: float, end: float) -> float:
        """The longest wait of a change under way between ``start`` and ``end``."""
        return max((d for b, d in self.took if b <= end and b + d >= start), default=0.0)


class Collections:
    """Python's garbage collections, timed: a long one stalls every thread, a status change
    too, whoever holds the job (reported beside the waits, to tell one from the other)."""

    def __init__(self) -> None:
        self.took: list[tuple[float, float]] = []
        self._began = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.took.append((self._began, time.perf_counter() - self._began))

    def longest(self, start: float, end: float) -> float:
        return max((d for b, d in self.took if b <= end and b + d >= start), default=0.0)


def child(mode: str, n: int, rewrites: int) -> None:
    gangadir = tempfile.mkdtemp(prefix="gw-bench-registry-", dir="/tmp")
    if mode == "bare":
        ganga = bare_ganga(gangadir)
    else:
        import ganga_widgets
        from ganga_widgets import session

        ganga_widgets.start(gangadir=gangadir, console=False)
        ganga = session.gpi()
    from GangaCore.Core.GangaRepository import getRegistry
    from GangaCore.GPIDev.Base.Proxy import stripProxy
    from GangaCore.Utility.Config import getConfig

    getConfig("Registry").setSessionValue("EnableAutoFlush", False)  # the writes timed here
    job = ganga.Job(
        application=ganga.Executable(exe="/bin/true"),
        splitter=ganga.ArgSplitter(args=[[str(i)] for i in range(n)]),
        backend=ganga.Local(),
    )
    master = stripProxy(job)
    master._doSplitting()
    registry = getRegistry("jobs")
    collections = Collections()
    changes = StatusChanges(master.subjobs[n // 2])
    changes.start()
    time.sleep(0.5)
    floor = changes.longest(0, time.perf_counter())

    def timed_write() -> tuple[float, float]:
        start = time.perf_counter()
        registry._flush([master])
        end = time.perf_counter()
        time.sleep(0.01)  # a change waiting at the end finishes
        return end - start, changes.longest(start, end), collections.longest(start, end)

    write, write_wait, write_gc = timed_write()
    rewrite = []
    for k in range(rewrites):
        master.subjobs[(k * 7919) % n].status = "new"
        rewrite.append(timed_write())
    changes.stop.set()
    result = {
        "write_s": write,
        "write_wait_s": write_wait,
        "write_gc_s": write_gc,
        "rewrite_s": statistics.median(r[0] for r in rewrite),
        "rewrite_wait_s": max(r[1] for r in rewrite),
        "rewrite_gc_s": max(r[2] for r in rewrite),
        "change_floor_s": floor,
        "changes": len(changes.took),
    }
    print("RESULT " + json.dumps(result), flush=True)
    os._exit(0)  # Ganga's shutdown would write the job once more: not measured


def measure(mode: str, n: int, rewrites: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", mode, str(n), "--rewrites", str(rewrites)]
    env = {**os.environ, "HOME": tempfile.mkdtemp(prefix="gw-bench-home-")}
    proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=3600, cwd="/tmp", env=env)  # fmt: skip
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), "")
    if not line:
        sys.exit(f"{mode} {n}: no result\n{proc.stdout[-6000:]}")
    return {"mode": mode, "n": n, **json.loads(line[len("RESULT ") :])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--rewrites", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.rewrites)
        return
    runs = []
    for n in args.sizes:
        for mode in ("bare", "ours"):
            runs.append(measure(mode, n, args.rewrites))
            print(runs[-1], flush=True)
    save("registry_write", {"runs": runs})
    print(report(runs))


def report(runs: list[dict[str, Any]]) -> str:
    ms = "{:,.1f} ms".format
    lines = [
        "| subjobs | mode | first write | longest status-change wait | rewrite after one "
        "change | longest wait | the change alone, longest | longest garbage collection |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        lines.append(
            f"| {r['n']:,} | {r['mode']} | {r['write_s']:.2f} s | {ms(1e3 * r['write_wait_s'])} "
            f"| {r['rewrite_s']:.3f} s | {ms(1e3 * r['rewrite_wait_s'])} "
            f"| {1e3 * r['change_floor_s']:.2f} ms "
            f"| {ms(1e3 * max(r['write_gc_s'], r['rewrite_gc_s']))} |"
        )
    by = {(r["mode"], r["n"]): r for r in runs}
    for n in sorted({r["n"] for r in runs}):
        bare, ours = by.get(("bare", n)), by.get(("ours", n))
        if bare and ours:
            ratio = {k: ours[k] / bare[k] for k in ("rewrite_s", "write_wait_s", "rewrite_wait_s")}
            lines.append(
                f"\n{n:,} subjobs, ours / bare: rewrite {ratio['rewrite_s']:.3f}; longest wait "
                f"{ratio['write_wait_s']:.3f} (first write), {ratio['rewrite_wait_s']:.3f}"
                " (rewrite)"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
