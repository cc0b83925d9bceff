"""What a read-only second session costs to follow a gangadir, and how soon it shows a change.

Usage:  .venv-3.11/bin/python benchmarks/follow_owner.py [--sizes 200 1000] [--seconds 20]

An owner process (ganga_widgets started: Ganga's monitoring, and while it is followed, its
saves every second) creates n jobs, then changes one job's comment every second (writing the
time it did). A second process on the same gangadir is read-only and shows every job in a
JobTable. It first catches up, reading once each job the owner saved after its index was
written (every job it created: ``CATCH_UP`` a pass); how long that takes is measured, then,
for ``--seconds``:
- each pass of the follower (ganga_adapter/follow_owner.py, once a second): its time, against
  the floor of one full look at the gangadir, a stat of every job's file (what any poller of
  n jobs pays at least);
- how long after the owner's change the table showed it, against the owner's save period.
Results: a markdown table, JSON in benchmarks/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import save

HERE = Path(__file__).resolve().parent

OWNER = """
import sys, time, ganga_widgets
from ganga_widgets import session
ganga_widgets.start(gangadir=sys.argv[1], console=False)
g = session.gpi()
jobs = [g.Job(name=f"job-{i}") for i in range(int(sys.argv[2]))]
print("READY", flush=True)
i = 0
while sys.stdin.readline():  # a line: change one job now
    jobs[i % len(jobs)].comment = repr(time.time())
    i += 1
"""


def reader(gangadir: str, seconds: float) -> None:
    import ganga_widgets
    from ganga_widgets import JobTable
    from ganga_widgets.ganga_adapter import disk_reload, follow_owner

    assert ganga_widgets.start(gangadir=gangadir, console=False).read_only
    table = JobTable(page_size=25)
    follower = follow_owner.follower()
    passes: list[tuple[float, int]] = []  # (its time, jobs left to catch up with)
    step = follower.step

    def timed() -> int:
        began = time.perf_counter()
        left = step()
        passes.append((time.perf_counter() - began, left))
        return left

    follower.step = timed  # type: ignore[method-assign]
    # First the catch-up: the jobs the owner saved after their index was written (all it
    # created) are read once, CATCH_UP a pass; then the steady state is measured.
    began = time.monotonic()
    while not passes or passes[-1][1] > 0:
        time.sleep(0.1)
    catch_up = passes[:]
    catch_up_s = time.monotonic() - began
    print("READER", flush=True)
    seen: dict[int, str] = {row["id"]: row.get("comment") or "" for row in table._rows.values()}
    latencies: list[float] = []
    end = time.monotonic() + seconds
    steady_from = len(passes)
    while time.monotonic() < end:
        for job_id, row in list(table._rows.items()):
            comment = row.get("comment") or ""
            if comment and seen.get(job_id) != comment:
                seen[job_id] = comment
                latencies.append(time.time() - float(comment))
        time.sleep(0.02)
    floor = []
    ids = sorted(table._rows)
    repository_fn = disk_reload._repository().get_fn
    for _ in range(5):
        began = time.perf_counter()
        for job_id in ids:
            os.stat(repository_fn(job_id))
        floor.append(time.perf_counter() - began)
    steady = [took for took, _ in passes[steady_from:]]
    result = {
        "catch_up_s": catch_up_s,
        "catch_up_pass_median_s": statistics.median(took for took, _ in catch_up),
        "passes": len(steady),
        "pass_median_s": statistics.median(steady),
        "pass_max_s": max(steady),
        "floor_s": statistics.median(floor),
        "changes_seen": len(latencies),
        "latency_median_s": statistics.median(latencies) if latencies else None,
        "latency_max_s": max(latencies) if latencies else None,
    }
    print("RESULT " + json.dumps(result), flush=True)
    os._exit(0)  # Ganga's shutdown: not measured


def measure(n: int, seconds: float) -> dict[str, Any]:
    gangadir = tempfile.mkdtemp(prefix="gw-bench-follow-", dir="/tmp")
    env = {**os.environ, "HOME": tempfile.mkdtemp(prefix="gw-bench-home-")}
    owner = subprocess.Popen([sys.executable, "-c", OWNER, gangadir, str(n)], env=env,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, cwd="/tmp")  # fmt: skip
    try:
        assert owner.stdout is not None and owner.stdin is not None
        for line in owner.stdout:
            if line.startswith("READY"):
                break
        else:
            sys.exit(f"the owner of {n} jobs did not start (exit {owner.wait()})")
        command = [sys.executable, __file__, "--reader", gangadir, "--seconds", str(seconds)]
        second = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, cwd="/tmp")  # fmt: skip
        assert second.stdout is not None
        lines = []
        for line in second.stdout:
            lines.append(line)
            if line.startswith("READER"):
                break
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and second.poll() is None:
            owner.stdin.write("change\n")
            owner.stdin.flush()
            time.sleep(1.0)
        rest = second.communicate(timeout=600)[0]
    finally:
        owner.kill()
        owner.wait()
    found = next((x for x in (lines + rest.splitlines()) if x.startswith("RESULT ")), "")
    if not found:
        sys.exit(f"{n} jobs: no result\n{''.join(lines)}{rest[-6000:]}")
    return {"n": n, **json.loads(found[len("RESULT ") :])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--reader", metavar="GANGADIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.reader:
        reader(args.reader, args.seconds)
        return
    runs = []
    for n in args.sizes:
        runs.append(measure(n, args.seconds))
        print(runs[-1], flush=True)
    save("follow_owner", {"runs": runs})
    print(report(runs))


def report(runs: list[dict[str, Any]]) -> str:
    ms = "{:,.1f} ms".format
    lines = [
        "| jobs | catch-up | its pass, median | passes after | pass, median | pass, longest "
        "| floor: a stat of every job's file | median / floor | change shown after, median "
        "| longest |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]

    def seconds(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f} s"

    for r in runs:
        lines.append(
            f"| {r['n']:,} | {r['catch_up_s']:.1f} s | {ms(1e3 * r['catch_up_pass_median_s'])} "
            f"| {r['passes']} | {ms(1e3 * r['pass_median_s'])} "
            f"| {ms(1e3 * r['pass_max_s'])} | {ms(1e3 * r['floor_s'])} "
            f"| {r['pass_median_s'] / max(r['floor_s'], 1e-9):.2f} "
            f"| {seconds(r['latency_median_s'])} | {seconds(r['latency_max_s'])} |"
        )
    lines.append("\nThe owner saves every second while followed; the follower looks every second.")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
