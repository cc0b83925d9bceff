"""JobTable in a real Jupyter kernel: first render and payload by registry size, and the
messages when 50 jobs change state at once, against baselines measured in the same run.

Usage:  .venv-3.11/bin/python benchmarks/table.py [--sizes 100 1000 5000] [--changing 50]

For each registry size N (a gangadir built beforehand in its own process: --split-jobs (10)
completed jobs with 10 subjobs each, the rest new), a fresh kernel starts Ganga on it, then:
- ours: ``JobTable()`` displayed; time from the execute request to the widget's comm_open
  (everything the view needs to draw) at the client, and that message's size;
- baseline 1: Ganga's own listing, ``jobs`` as a cell's result (what users read today);
- baseline 2: a naive dashboard that reads every job whole and sends them all.
The driver is the frontend: it reads the kernel's IOPub channel (see job_widget.py).

Then JobTable's kernel time per update while one job changes status per update, against
the naive dashboard's in its live form (the page of 25 read whole and sent again), and how
many jobs Ganga has read from disk whole: after JobTable(), its updates, and Ganga's listing.

Then, on the largest registry that is at most 1,000 jobs, ``--changing`` running jobs end at
the same moment, watched by a fresh JobTable and by the naive dashboard in its live form,
which sends the page of 25 again on every status change.
Results: printed as markdown tables and written to benchmarks/results/ as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import save
from kernel import Wire, environment, evaluate, kernel_side, percentile, run, start, text

HERE = Path(__file__).resolve().parent
SUBJOBS = 10  # of each completed split job in a registry
CODE_ONLY = ("_esm", "_css")  # the view's code and style: the same for any registry


def build(gangadir: Path, n: int, split_jobs: int, env: dict[str, str]) -> float:
    """A registry of ``n`` jobs (see kernel_side/table.py), in a process of its own;
    returns how long it took."""
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-c", "from kernel_side import table as k; k.build_registry("
         f"{str(gangadir)!r}, {n}, {split_jobs}, {SUBJOBS})"],
        cwd=HERE, env=env, check=True, capture_output=True, timeout=3600,
    )  # fmt: skip
    return time.monotonic() - started


def wait_open(wire: Wire, since: float, model_id: str, timeout: float = 600) -> tuple:
    deadline = time.time() + timeout
    while time.time() < deadline:
        opened = wire.of(model_id, since, methods=("open",))
        if opened:
            return opened[0]
        time.sleep(0.01)
    raise TimeoutError(f"no comm_open for {model_id}")


def displayed(client: Any, wire: Any, code: str, name: str) -> dict[str, Any]:
    """Run ``code`` that displays widget ``name``; time to its comm_open at the client."""
    start = time.time()
    model_id = text(run(client, code, {"m": f"{name}.model_id"})["m"])
    arrived, _, size, state, *_ = wait_open(wire, start, model_id)
    code_bytes = sum(len(json.dumps(state.get(k, ""))) for k in CODE_ONLY)
    return {"seconds": arrived - start, "bytes": size, "data_bytes": size - code_bytes,
            "model_id": model_id}  # fmt: skip


def ganga_listing(client: Any) -> dict[str, Any]:
    """``jobs`` as a cell's result: Ganga's table of every job, as text."""
    start = time.time()
    msg_id = client.execute("jobs")
    size = 0
    while True:
        msg = client.get_iopub_msg(timeout=600)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "error":
            raise RuntimeError("\n".join(msg["content"]["traceback"]))
        if msg["msg_type"] in ("execute_result", "display_data", "stream"):
            size += len(json.dumps(msg["content"]))
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return {"seconds": time.time() - start, "bytes": size}


def one_size(n: int, workdir: Path, env: dict[str, str], changing: int, split_jobs: int,
             flushes: int) -> dict[str, Any]:  # fmt: skip
    gangadir = workdir / f"gangadir-{n}"
    result: dict[str, Any] = {"jobs": n, "build_seconds": build(gangadir, n, split_jobs, env)}
    _, manager, client = start(workdir=workdir)
    # The driver reads IOPub itself for Ganga's listing, so the Wire starts after it.
    try:
        started = time.time()
        run(client, kernel_side("table") + f"k.setup({str(gangadir)!r})\n"
                    "import time\nfrom ganga_widgets import JobTable, session\n"
                    "jobs = session.gpi().jobs")  # fmt: skip
        result["ganga_start_seconds"] = time.time() - started
        wire = Wire(client)
        make = "t0 = time.perf_counter(); table = JobTable(); made = time.perf_counter() - t0"
        result["ours"] = displayed(client, wire, make + "; display(table)", "table")
        result["ours"]["kernel_seconds"] = text(run(client, "", {"m": "made"})["m"])
        result["ours"]["loaded_after_open"] = evaluate(client, "k.loaded_jobs()")
        result["updates"] = evaluate(client, f"k.table_update_costs(table, {flushes})")
        result["ours"]["loaded_after_updates"] = evaluate(client, "k.loaded_jobs()")
        run(client, "table.close()")
        wire.stop()
        result["ganga_listing"] = ganga_listing(client)
        result["ganga_listing"]["loaded_after"] = evaluate(client, "k.loaded_jobs()")
        wire = Wire(client)
        result["naive"] = displayed(client, wire, "naive = k.naive_table(True)", "naive")
        if changing:
            result["changes"] = changes(client, wire, workdir, changing)
        wire.stop()
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return result


def changes(client: Any, wire: Wire, workdir: Path, n: int) -> dict[str, Any]:
    """``n`` running jobs end at once; messages and bytes to each dashboard until it shows
    them all completed."""
    flag = workdir / "end-them"
    run(client, f"waiting = k.waiting_jobs({n}, {str(flag)!r})\n"
                "ids = {j.id for j in waiting}\n"
                "table2 = JobTable(); display(table2); live = k.naive_table(False)")  # fmt: skip
    ids = run(client, "", {"ours": "table2.model_id", "naive": "live.model_id"})
    ours_id, naive_id = text(ids["ours"]), text(ids["naive"])
    done_before = run(client, "", {"c": "table2.totals['by_status'].get('completed', 0)"})["c"]
    expected = text(done_before) + n
    start = time.time()
    flag.touch()

    def shown_done(messages: list, field: str) -> bool:
        for m in messages:
            state = m[3]
            if field == "totals" and state.get("totals", {}).get("by_status", {}).get(
                    "completed") == expected:  # fmt: skip
                return True
            if field == "rows" and state.get("rows") and sum(
                    r["status"] == "completed" for r in state["rows"]) == min(n, 25):  # fmt: skip
                return True
        return False

    deadline = time.time() + 120
    while time.time() < deadline:
        if shown_done(wire.of(ours_id, start), "totals") and shown_done(
            wire.of(naive_id, start), "rows"
        ):
            break
        time.sleep(0.05)
    time.sleep(2)  # and whatever either sends after: both are counted until here
    out = {"jobs": n}
    for name, model_id in (("ours", ours_id), ("naive", naive_id)):
        msgs = wire.of(model_id, start, methods=("update", "custom"))
        msgs = [m for m in msgs if m[3].get("type") != "beat"]  # signs of life, not updates
        span = (msgs[-1][0] - start) if msgs else 0.0
        out[name] = {
            "messages": len(msgs),
            "bytes": sum(m[2] for m in msgs),
            "span_seconds": span,
            "peak_messages_per_s": _peak(msgs, lambda m: 1),
            "peak_bytes_per_s": _peak(msgs, lambda m: m[2]),
        }
    return out


def _peak(messages: list, weight: Any) -> float:
    """The most in any one-second window."""
    best = 0.0
    for i, first in enumerate(messages):
        best = max(best, sum(weight(m) for m in messages[i:] if m[0] < first[0] + 1.0))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--changing", type=int, default=50, help="jobs ending at once")
    parser.add_argument("--split-jobs", type=int, default=10, help="completed 10-subjob jobs")
    parser.add_argument("--flushes", type=int, default=20, help="updates timed per size")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="gw-bench-table-"))
    env = environment(workdir)
    change_at = max((s for s in args.sizes if s <= 1000), default=args.sizes[0])
    results = [one_size(n, workdir, env, args.changing if n == change_at else 0, args.split_jobs,
                        args.flushes) for n in args.sizes]  # fmt: skip

    save("table", results)
    print(report(results))


def report(results: list[dict[str, Any]]) -> str:
    lines = [
        "| jobs | Ganga start | JobTable() → view has it (in the kernel) "
        "| payload (data / with JS+CSS) "
        "| `jobs` listing | naive: all rows | ours/listing time | ours/naive time "
        "| ours/naive data bytes |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        o, g, v = r["ours"], r["ganga_listing"], r["naive"]
        lines.append(
            f"| {r['jobs']:,} | {r['ganga_start_seconds']:.2f} s "
            f"| {o['seconds']:.3f} s ({o['kernel_seconds']:.3f} s) "
            f"| {o['data_bytes']:,} / {o['bytes']:,} B | {g['seconds']:.3f} s, {g['bytes']:,} B "
            f"| {v['seconds']:.3f} s, {v['data_bytes']:,} B "
            f"| {o['seconds'] / g['seconds']:.2f} | {o['seconds'] / v['seconds']:.3f} "
            f"| {o['data_bytes'] / v['data_bytes']:.4f} |"
        )
    lines += [
        "",
        "One job changes status per update (kernel time of each update; jobs Ganga read "
        "from disk whole, of the registry):",
        "",
        "| jobs | JobTable update, median (p95) | naive: page of 25 re-read and sent | ratio "
        "| loaded: after JobTable() / after its updates / after `jobs` listing |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        u, o = r["updates"], r["ours"]
        ours, base = statistics.median(u["ours_s"]), statistics.median(u["baseline_s"])
        lines.append(
            f"| {r['jobs']:,} | {1e3 * ours:.2f} ms ({1e3 * percentile(u['ours_s'], 95):.2f}) "
            f"| {1e3 * base:.2f} ms | {ours / base:.2f} | {o['loaded_after_open']:,} / "
            f"{o['loaded_after_updates']:,} / {r['ganga_listing']['loaded_after']:,} |"
        )
    for r in results:
        c = r.get("changes")
        if not c:
            continue
        o, v = c["ours"], c["naive"]
        lines += [
            "",
            f"{c['jobs']} jobs end at once (registry of {r['jobs']:,}):",
            "",
            "| | JobTable | naive (page resent per change) | ratio |",
            "|---|---|---|---|",
        ]
        for key, label in (("messages", "messages"), ("bytes", "bytes"),
                           ("peak_messages_per_s", "peak messages/s"),
                           ("peak_bytes_per_s", "peak bytes/s")):  # fmt: skip
            lines.append(f"| {label} | {o[key]:,.0f} | {v[key]:,.0f} "
                         f"| {o[key] / max(1, v[key]):.3f} |")  # fmt: skip
        lines.append(f"| last message after the change | {o['span_seconds']:.2f} s "
                     f"| {v['span_seconds']:.2f} s | |")  # fmt: skip
    return "\n".join(lines)


if __name__ == "__main__":
    main()
