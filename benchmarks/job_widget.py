"""JobWidget in a real Jupyter kernel: update latency and messages, against a baseline.

Usage:  .venv-3.11/bin/python benchmarks/job_widget.py [--subjobs 24] [--storm 1000]

For the same job, in the same kernel, two widgets watch it:
- ours: JobWidget (hook -> dispatcher, at most one coalesced sync per ~100 ms);
- baseline: a naive widget that syncs every status change as it happens (what monitors that
  push each task event do).
The driver is the "frontend": it reads the kernel's IOPub channel and timestamps every comm
message, so latencies are from Ganga's status change (recorded in the kernel) to the moment
the update reaches the client, and message counts/bytes are what really went over the wire.

(a) latency, status change -> update received, over a running Local job (median, p95);
(b) messages and bytes for a storm of N subjob status changes through Ganga's updateStatus.
Results: printed as a markdown table and written to benchmarks/results/ as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

from common import save
from kernel import Wire, kernel_side, percentile, run, start, text

SLEEPY = (
    "import sys, time, random; random.seed(int(sys.argv[1])); time.sleep(random.uniform(0.3, 1.5))"
)


def latencies(events: list, updates: list, ours: bool, codes: dict[str, str]) -> list[float]:
    """For each status change, the delay until a message shows it (or a later status of the
    same subjob, for coalesced updates)."""
    result = []
    per_subjob: dict[int, list] = {}
    for e in events:
        if e[2] is not None:
            per_subjob.setdefault(e[2], []).append(e)
    for subjob, changes in per_subjob.items():
        for k, (t, _, _, _status) in enumerate(changes):
            accepted = {codes.get(s, "?") for _, _, _, s in changes[k:]}
            later = {s for _, _, _, s in changes[k:]}
            for arrived, _, _, st, *_ in updates:
                if arrived < t:
                    continue
                if ours:
                    cells = st.get("cells")
                    if cells is not None and len(cells) > subjob and cells[subjob] in accepted:
                        result.append(arrived - t)
                        break
                else:
                    last = st.get("last", {})
                    if last.get("subjob") == subjob and last.get("status") in later:
                        result.append(arrived - t)
                        break
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subjobs", type=int, default=24, help="subjobs of the running job")
    parser.add_argument("--storm", type=int, default=1000, help="status changes in the storm")
    args = parser.parse_args()

    workdir, manager, client = start("gw-bench-")
    wire = Wire(client)
    results: dict[str, Any] = {"subjobs": args.subjobs, "storm": args.storm}
    try:
        run(
            client,
            kernel_side("job_widget") + f"k.setup({str(workdir / 'gangadir')!r})",
        )
        codes = text(run(client, "", {"c": "k.CODES"})["c"])

        # (a) latency over a running job; the cell blocks until the job ends (busy kernel)
        ids = run(
            client,
            f"job = k.python_job({SLEEPY!r}, {args.subjobs}); w = k.watch(job)\n"
            "t0 = __import__('time').time(); job.submit()\n"
            "while job.status not in ('completed', 'failed'): __import__('time').sleep(0.1)",
            {"ours": "w['ours']", "naive": "w['naive']", "t0": "t0", "id": "job.id"},
        )
        events = json.loads(
            text(run(client, "", {"e": f"k.status_log({ids['id']}, {ids['t0']})"})["e"])
        )
        deadline = time.time() + 10
        while time.time() < deadline and not any(
            m[3].get("summary", {}).get("status") in ("completed", "failed")
            for m in wire.of(text(ids["ours"]))
        ):
            time.sleep(0.1)
        ours = wire.of(text(ids["ours"]), float(ids["t0"]))
        naive = wire.of(text(ids["naive"]), float(ids["t0"]))
        lat_ours = latencies(events, ours, True, codes)
        lat_naive = latencies(events, naive, False, codes)
        results["latency"] = {
            "status_changes": sum(1 for e in events if e[2] is not None),
            "ours_ms": {
                "median": 1e3 * statistics.median(lat_ours),
                "p95": 1e3 * percentile(lat_ours, 95),
                "n": len(lat_ours),
            },
            "baseline_ms": {
                "median": 1e3 * statistics.median(lat_naive),
                "p95": 1e3 * percentile(lat_naive, 95),
                "n": len(lat_naive),
            },
            "ours_messages": len(ours),
            "baseline_messages": len(naive),
        }

        # (b) a storm of status changes on a job whose subjobs exist (submitted, then killed)
        ids = run(
            client,
            f"storm_job = k.python_job('import time; time.sleep(60)', {args.storm})\n"
            "storm_job.submit(); sw = k.watch(storm_job); sw['widget'].run_action('kill')",
            {"ours": "sw['ours']", "naive": "sw['naive']"},
        )
        ours_id, naive_id = text(ids["ours"]), text(ids["naive"])
        span = text(run(client, "span = k.storm(storm_job)", {"s": "span"})["s"])
        deadline = time.time() + 30
        while time.time() < deadline:
            done = [
                m for m in wire.of(ours_id, span["start"]) if m[3].get("cells") == "f" * args.storm
            ]
            naive_done = len(wire.of(naive_id, span["start"])) >= args.storm
            if done and naive_done:
                break
            time.sleep(0.05)
        ours = wire.of(ours_id, span["start"])
        naive = wire.of(naive_id, span["start"])
        last = max(m[0] for m in ours) - span["start"] if ours else float("nan")
        results["storm"] = {
            "changes": args.storm,
            "storm_seconds": span["end"] - span["start"],
            "ours": {
                "messages": len(ours),
                "bytes": sum(m[2] for m in ours),
                "final_exact": bool(done),
                "last_update_after_s": last,
            },
            "baseline": {"messages": len(naive), "bytes": sum(m[2] for m in naive)},
        }
    finally:
        wire.stop()
        client.stop_channels()
        manager.shutdown_kernel(now=True)

    save("job_widget", results)
    print(report(results))


def report(r: dict[str, Any]) -> str:
    lat, st = r["latency"], r["storm"]
    o, b = lat["ours_ms"], lat["baseline_ms"]
    ours, base = st["ours"], st["baseline"]

    def row(what: str, mine: str, baseline: str, ratio: str) -> str:
        return f"| {what} | {mine} | {baseline} | {ratio} |"

    return "\n".join(
        [
            row("measure", "JobWidget", "baseline (one sync per change)", "ratio"),
            "|---|---|---|---|",
            row(
                f"(a) latency median, status change -> client ({lat['status_changes']} changes)",
                f"{o['median']:.1f} ms",
                f"{b['median']:.1f} ms",
                f"{o['median'] / b['median']:.1f}x",
            ),
            row(
                "(a) latency p95",
                f"{o['p95']:.1f} ms",
                f"{b['p95']:.1f} ms",
                f"{o['p95'] / b['p95']:.1f}x",
            ),
            row(
                "(a) messages for the whole job",
                str(lat["ours_messages"]),
                str(lat["baseline_messages"]),
                f"{lat['ours_messages'] / max(1, lat['baseline_messages']):.2f}",
            ),
            row(
                f"(b) messages for {st['changes']} changes in {st['storm_seconds']:.2f} s",
                str(ours["messages"]),
                str(base["messages"]),
                f"{ours['messages'] / max(1, base['messages']):.3f}",
            ),
            row(
                "(b) bytes",
                f"{ours['bytes']:,}",
                f"{base['bytes']:,}",
                f"{ours['bytes'] / max(1, base['bytes']):.2f}",
            ),
            row(
                "(b) final state exact; last update after the storm began",
                f"{ours['final_exact']}; {ours['last_update_after_s']:.2f} s",
                "",
                "",
            ),
        ]
    )


if __name__ == "__main__":
    main()
