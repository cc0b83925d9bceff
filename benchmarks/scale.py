"""JobWidget on jobs of up to 10,000 subjobs, in a real Jupyter kernel, against baselines
measured in the same run.

Usage:  .venv-3.11/bin/python benchmarks/scale.py [--sizes 100 1000 10000] [--flushes 50]
                                             [--storm-seconds 1] [--widgets 20]

Jobs are real Ganga jobs split into N subjobs (not submitted: 10,000 local processes would
measure the machine). In one kernel, with the driver reading IOPub as the frontend:
(a) Ganga's own costs, reported apart: splitting N subjobs, its memory, writing the job to
    the registry (Ganga does so every 30 s while it changes, holding the job), updateStatus;
(b) kernel time per flush when one subjob changes, at each N: JobWidget (counts kept up to
    date change by change) against a widget that recounts every subjob per flush;
(c) on the largest job, every subjob changes status within about --storm-seconds, twice:
    through Ganga's updateStatus (what its monitoring does; Ganga may take longer than
    that), then by bare assignment (as fast as statuses change): messages, their rate and
    size, and whether the last shows the exact final state; baseline: a widget that sends
    one message per change;
(d) memory of --widgets JobWidgets open on the largest job, and what is left once closed;
(e) kernel time per flush with the statistics panel open, at each N, against the same
    widget with it closed, on the same flushes (one subjob running <-> completed each).
Results: printed as markdown tables and written to benchmarks/results/ as JSON.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from typing import Any

from common import save
from kernel import Wire, evaluate, kernel_side, percentile, run, start

# How long a storm waits for JobWidget's final state once every change is made: well inside
# a tiny run's limit, so that a final state that never comes is reported (final_exact)
# rather than the run killed.
FINAL_STATE_WAIT = 30.0


def storm(client: Any, wire: Wire, n: int, seconds: float, status: str, via: str,
          baseline: bool) -> dict[str, Any]:  # fmt: skip
    span = evaluate(client, f"k.storm_paced({n}, {seconds}, {status!r}, {via!r}, {baseline})")
    expected = evaluate(client, f"k.CODES[{status!r}]") * n
    # Every change is made when storm_paced returns: what is left is their delivery, which
    # takes about a second.
    deadline = time.time() + FINAL_STATE_WAIT
    ours: list = []
    while True:
        ours = wire.of(span["ours"], span["start"])
        naive = wire.of(span["naive"], span["start"])
        if any(m[3].get("cells") == expected for m in ours) and (len(naive) >= n or not baseline):
            break
        if time.time() > deadline:
            print(f"storm to {status!r}: after {FINAL_STATE_WAIT:.0f} s, JobWidget's final "
                  f"state not seen ({len(ours)} messages from it), baseline {len(naive)} of "
                  f"{n}", file=sys.stderr, flush=True)  # fmt: skip
            break
        time.sleep(0.05)
    time.sleep(1)  # and whatever comes after: counted too
    ours = wire.of(span["ours"], span["start"])
    naive = wire.of(span["naive"], span["start"])
    last_cells = [m[3]["cells"] for m in ours if "cells" in m[3]]
    return {
        "changes": n,
        "via": via,
        "seconds": span["end"] - span["start"],
        "ganga_us_per_change": 1e6 * span["in_ganga_s"] / n,
        "ours": {
            "messages": len(ours),
            "bytes": sum(m[2] for m in ours),
            "largest_bytes": max((m[2] for m in ours), default=0),
            "peak_per_s": peak([m[0] for m in ours]),
            "peak_sent_per_s": peak([m[5] for m in ours]),
            "final_exact": bool(last_cells) and last_cells[-1] == expected,
            "last_after_s": (ours[-1][0] - span["start"]) if ours else float("nan"),
        },
        "baseline": {
            "messages": len(naive),
            "bytes": sum(m[2] for m in naive),
            "peak_per_s": peak([m[0] for m in naive]),
            "peak_sent_per_s": peak([m[5] for m in naive]),
        }
        if baseline
        else None,
    }


def peak(times: list[float]) -> int:
    """The most messages in any one-second window (``times``: sorted)."""
    times = sorted(times)
    best, first = 0, 0
    for last, t in enumerate(times):
        while times[first] < t - 1.0:
            first += 1
        best = max(best, last - first + 1)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--flushes", type=int, default=50, help="flushes timed per size")
    parser.add_argument("--storm-seconds", type=float, default=1.0)
    parser.add_argument("--widgets", type=int, default=20, help="open at once for memory")
    args = parser.parse_args()

    workdir, manager, client = start("gw-bench-scale-")
    wire = Wire(client)
    largest = max(args.sizes)
    results: dict[str, Any] = {"sizes": {}}
    try:
        run(
            client,
            kernel_side("scale") + f"k.setup({str(workdir / 'gangadir')!r})",
        )
        for n in args.sizes:
            ganga = evaluate(client, f"k.split_job({n})")
            flushes = evaluate(client, f"k.flush_costs({n}, {args.flushes})")
            stats = evaluate(client, f"k.statistics_costs({n}, {args.flushes})")
            results["sizes"][n] = {"ganga": ganga, **flushes, "statistics": stats}
        results["memory"] = evaluate(client, f"k.memory({largest}, {args.widgets})")
        results["storms"] = [
            storm(client, wire, largest, args.storm_seconds, status, via, baseline)
            # by assignment, without the baseline: its send per change, in the changing
            # thread, would slow the changes to its own pace
            for status, via, baseline in (
                ("submitting", "updateStatus", True),
                ("submitted", "setattr", False),
            )
        ]
    finally:
        wire.stop()
        client.stop_channels()
        manager.shutdown_kernel(now=True)

    save("scale", results)
    print(report(results))


def _row(what: str, ours: dict, baseline: dict | None, key: str) -> str:
    if baseline is None:
        return f"| {what} | {ours[key]:,} | not attached | |"
    ratio = ours[key] / max(1, baseline[key])
    return f"| {what} | {ours[key]:,} | {baseline[key]:,} | {ratio:.4f} |"


def micro(values: list[float]) -> str:
    return f"{1e6 * statistics.median(values):,.0f} µs (p95 {1e6 * percentile(values, 95):,.0f})"


def report(r: dict[str, Any]) -> str:
    lines = [
        "| subjobs | JobWidget() | per flush, one subjob changed: JobWidget "
        "| baseline (recount all) | ratio | change → flushed, max |",
        "|---|---|---|---|---|---|",
    ]
    for n, s in r["sizes"].items():
        ours, base = statistics.median(s["ours_s"]), statistics.median(s["baseline_s"])
        lines.append(
            f"| {int(n):,} | {1e3 * s['open_s']:.1f} ms | {micro(s['ours_s'])} "
            f"| {micro(s['baseline_s'])} | {ours / base:.3f} | {max(s['waits_s']):.2f} s |"
        )
    lines += [
        "",
        "Ganga's own costs (not the widget's):",
        "",
        "| subjobs | split | memory of the job | registry write of the job "
        "| rewrite after one subjob changed |",
        "|---|---|---|---|---|",
    ]
    for n, s in r["sizes"].items():
        g = s["ganga"]
        lines.append(
            f"| {int(n):,} | {g['split_s']:.1f} s | {g['rss_mb']:.0f} MB | {g['write_s']:.1f} s "
            f"| {g['rewrite_after_one_change_s']:.2f} s |"
        )
    lines += [
        "",
        "Statistics panel open (jobdata/statistics.py), one subjob running <-> completed per "
        "flush:",
        "",
        "| subjobs | opening the panel (reads every subjob) | per flush, panel closed "
        "| panel open | ratio |",
        "|---|---|---|---|---|",
    ]
    for n, s in r["sizes"].items():
        st = s["statistics"]
        plain, stats = statistics.median(st["plain_s"]), statistics.median(st["statistics_s"])
        lines.append(
            f"| {int(n):,} | {1e3 * st['opened_s']:.1f} ms | {micro(st['plain_s'])} "
            f"| {micro(st['statistics_s'])} | {stats / plain:.3f} |"
        )
    m = r["memory"]
    for st in r["storms"]:
        o, b = st["ours"], st["baseline"]
        lines += [
            "",
            f"{st['changes']:,} status changes through {st['via']} in {st['seconds']:.2f} s "
            f"({st['ganga_us_per_change']:.0f} µs per change in the changing thread: Ganga, "
            "the hook" + (" and the baseline's own send):" if b else "):"),
            "",
            "| | JobWidget | baseline (one message per change) | ratio |",
            "|---|---|---|---|",
            _row("messages", o, b, "messages"),
            _row("most in one second, as sent by the kernel", o, b, "peak_sent_per_s"),
            _row("most in one second, as received", o, b, "peak_per_s"),
            _row("bytes", o, b, "bytes"),
            f"| largest message | {o['largest_bytes']:,} B | | |",
            f"| last message shows the exact final state | {o['final_exact']}, "
            f"{o['last_after_s']:.2f} s after the first change | | |",
        ]
    lines += [
        "",
        f"{m['widgets']} JobWidgets open on the {max(map(int, r['sizes'])):,}-subjob job: "
        f"{m['open_mb']:.1f} MB of Python objects ({m['rss_open_mb']:.0f} MB resident); "
        f"once closed: {m['retained_mb']:.2f} MB left, {m['alive_after_close']} widgets "
        f"alive, {m['listeners_left']} dispatcher listeners left.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
