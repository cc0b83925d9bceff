"""How soon a user sees a Condor job run and end: Ganga's own monitoring vs this project's.

Usage:  .venv-3.11/bin/python benchmarks/condor_updates.py [--repeats 3] [--sleep 2]
(needs the personal pool: scripts/htcondor-pool start; eval "$(scripts/htcondor-pool env)")

For a 1-subjob and a 50-subjob `/bin/sleep` job on the local pool, measured side by side in
one run, each case in a fresh Python process:
- baseline: Ganga 8.7.12 as it comes (Condor polled every 30 s), the status a user sees is
  `job.status` (with htcondor 25, which Ganga cannot submit with at all, given only the
  version-1 names it uses);
- ours: ganga_widgets (event-log watcher), the status a user sees is what the JobWidget
  shows.
Two delays: submit() returned -> "running" shown; the (last) subjob's exit, as HTCondor
recorded it (the mtime of its event log when the terminate event was its last write) ->
"completed" shown. Results: a markdown table and JSON in benchmarks/results/.
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

from common import bare_ganga, save

HERE = Path(__file__).resolve().parent


def child(mode: str, subjobs: int, sleep: float, deadline: float) -> dict[str, Any]:
    """One measurement, in this (fresh) process."""
    gangadir = tempfile.mkdtemp(prefix="gw-bench-condor-", dir="/tmp")
    if mode == "ours":
        import ganga_widgets
        from ganga_widgets import JobWidget, session

        ganga_widgets.start(gangadir=gangadir)
        ganga = session.gpi()
    else:
        ganga = bare_ganga(gangadir)

    job = ganga.Job(application=ganga.Executable(exe="/bin/sleep", args=[str(sleep)]),
                    backend=ganga.Condor())  # fmt: skip
    if subjobs > 1:
        job.splitter = ganga.ArgSplitter(args=[[str(sleep)]] * subjobs)
    job.submit()
    submitted = time.time()
    if mode == "ours":
        widget = JobWidget(job)

        def shown() -> str:
            return widget.summary["status"]
    else:

        def shown() -> str:  # Ganga's own statuses (a master says "submitted" while any
            # subjob is queued: count it running as soon as Ganga sees one subjob run)
            if subjobs > 1 and job.status == "submitted":
                return "running" if any(s.status == "running" for s in job.subjobs) else "submitted"
            return job.status

    running = completed = None
    while time.time() < submitted + deadline and completed is None:
        status = shown()
        now = time.time()
        if running is None and status in ("running", "completing", "completed"):
            running = now
        if status == "completed":
            completed = now
        time.sleep(0.02)
    ends = [_exit_time(sj) for sj in (job.subjobs if subjobs > 1 else [job])]
    if completed is None:  # past the deadline: take the jobs out of the pool's queue, or
        job.kill()  # they would hold its slots from the next case
    return {
        "mode": mode,
        "subjobs": subjobs,
        "submit_to_running_s": None if running is None else running - submitted,
        "exit_to_completed_s": None if completed is None or None in ends else completed - max(ends),
    }


def _exit_time(job: Any) -> float | None:
    """When HTCondor recorded the job's end: its event log's last write (the terminate
    event, followed by nothing); None if it has not ended."""
    log = os.path.join(job.outputdir, "condorLog")
    with open(log) as f:
        if "Job terminated" not in f.read():
            return None
    return os.stat(log).st_mtime_ns / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs of the 1-subjob case")
    parser.add_argument("--sleep", type=float, default=2.0, help="seconds each subjob sleeps")
    parser.add_argument("--big", type=int, default=50, help="subjobs of the large case")
    parser.add_argument("--deadline", type=float, default=300,
                        help="seconds to wait for a status to be shown")  # fmt: skip
    parser.add_argument("--child", nargs=2, metavar=("MODE", "SUBJOBS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, subjobs = args.child[0], int(args.child[1])
        print("RESULT " + json.dumps(child(mode, subjobs, args.sleep, args.deadline)))
        return

    runs = []
    cases = [(1, args.repeats), (args.big, 1)]
    for subjobs, repeats in cases:
        for _ in range(repeats):
            for mode in ("ganga", "ours"):  # side by side, alternating
                command = [
                    sys.executable,
                    __file__,
                    "--child",
                    mode,
                    str(subjobs),
                    "--sleep",
                    str(args.sleep),
                    "--deadline",
                    str(args.deadline),
                ]
                try:  # the child waits at most the deadline; Ganga's start and exit, 2 min
                    proc = subprocess.run(command, capture_output=True, text=True,
                                          timeout=args.deadline + 120)  # fmt: skip
                    out, err = proc.stdout, proc.stderr
                except subprocess.TimeoutExpired as hung:
                    out, err = _text(hung.stdout), _text(hung.stderr)
                    sys.exit(f"{mode} {subjobs}: still running {args.deadline + 120:.0f} s "
                             f"after it started (killed)\n{out[-3000:]}{err[-3000:]}")  # fmt: skip
                line = next((x for x in out.splitlines() if x.startswith("RESULT ")), "")
                if not line:
                    sys.exit(f"{mode} {subjobs}: no result\n{out[-3000:]}{err[-3000:]}")
                runs.append(json.loads(line[len("RESULT ") :]))
                print(runs[-1], flush=True)
    save("condor_updates", runs)
    print(report(runs))


def _text(output: bytes | str | None) -> str:
    return output.decode(errors="replace") if isinstance(output, bytes) else output or ""


def report(runs: list[dict[str, Any]]) -> str:
    def median(mode: str, subjobs: int, key: str) -> float | None:
        values = [r[key] for r in runs if r["mode"] == mode and r["subjobs"] == subjobs]
        seen = [v for v in values if v is not None]
        return statistics.median(seen) if seen else None

    def shown(value: float | None) -> str:
        return "never shown (within the deadline)" if value is None else f"{value:.2f} s"

    rows = ["| case | Ganga default (30 s poll) | ganga_widgets | ratio |", "|---|---|---|---|"]
    for subjobs in sorted({r["subjobs"] for r in runs}):
        for key, what in (("submit_to_running_s", "submit -> Running shown"),
                          ("exit_to_completed_s", "job exit -> Completed shown")):  # fmt: skip
            base, ours = median("ganga", subjobs, key), median("ours", subjobs, key)
            ratio = f"{ours / base:.3f}" if base and ours is not None else "—"
            rows.append(f"| {subjobs} subjob{'s' if subjobs > 1 else ''}: {what} | "
                        f"{shown(base)} | {shown(ours)} | {ratio} |")  # fmt: skip
    return "\n".join(rows)


if __name__ == "__main__":
    main()
