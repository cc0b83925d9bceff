"""How long submit() takes to get every subjob submitted, against bare Ganga and the floor.

Usage:  .venv-3.11/bin/python benchmarks/submit.py [--sizes 1 100 1000] [--repeats 3]
(the Condor cases need the pool: scripts/htcondor-pool start; eval "$(scripts/htcondor-pool env)")

For n items, on Local and on the local HTCondor pool, each case in a fresh Python process:
- ours: ``submit(fn, range(n), backend=...)``: serialise, stage, build, submit;
- bare Ganga: the same job built by hand, ``Executable`` + ``ArgSplitter`` (what a Ganga
  user writes), submitted by Ganga as it comes (no ganga_widgets guard);
- guarded: that same hand-built job submitted with ganga_widgets started (its guards on
  Ganga's submission path: what ``j.submit()`` costs a user of the widgets);
- transfer (Condor only): ``submit(..., shared_fs=False, python=sys.executable)``, the mode
  for pools without a shared filesystem: HTCondor ships each call's files and brings back
  what it wrote (the interpreter is the kernel's own, so the check job does not run);
- floor (Condor only): one ``Schedd().submit`` with n items of itemdata (htcondor2).
The time is from the call to the moment every subjob is submitted (for submit() of more
than 100 items, which returns at once, also the time it took to return); the jobs are then
killed, not run. With ``--results``, submit()'s jobs in both modes run to the end instead,
and the time to every result is measured too (the two modes on the same slots). With
``--profile``, bare Ganga's largest Condor submission is profiled, to show where its time
goes. Results: markdown tables, JSON in benchmarks/results/.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import bare_ganga, save

HERE = Path(__file__).resolve().parent
MEASURED = "-- measured --"


def child(mode: str, backend: str, n: int, profile: bool, results: bool) -> dict[str, Any]:
    gangadir = tempfile.mkdtemp(prefix="gw-bench-submit-", dir="/tmp")
    if mode == "floor":
        from ganga_widgets.condor import bindings as condor

        htcondor = condor.bindings()  # htcondor2 where installed, as the view uses
        description = htcondor.Submit({"executable": sys.executable,
                                       "arguments": "-c pass $(item)",
                                       "initialdir": gangadir})  # fmt: skip
        start = time.perf_counter()
        items = [{"item": str(i)} for i in range(n)]
        result = htcondor.Schedd().submit(description, itemdata=iter(items))
        elapsed = time.perf_counter() - start
        print("RESULT " + json.dumps({"seconds": elapsed}), flush=True)
        htcondor.Schedd().act(htcondor.JobAction.Remove, f"ClusterId == {result.cluster()}")
        return {"seconds": elapsed}

    import ganga_widgets
    from ganga_widgets import actions, session
    from ganga_widgets.ganga_adapter import objects

    if mode == "bare":
        ganga = bare_ganga(gangadir)
    else:  # quiet, as in a notebook: the lines still printed are what a cell would show
        ganga_widgets.start(gangadir=gangadir, console=False)
        ganga = session.gpi()
    profiler = cProfile.Profile() if profile else None
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    returned = results_seconds = None
    if mode in ("ours", "transfer"):
        transfer = {"shared_fs": False, "python": sys.executable} if mode == "transfer" else {}
        run = ganga_widgets.submit(_identity, range(n), backend=backend, **transfer)
        returned = time.perf_counter() - start  # beyond 100 items, before the submission
        run.submitted()
        job = run.job
    else:
        job = ganga.Job(application=ganga.Executable(exe=sys.executable),
                        backend=getattr(ganga, backend)())  # fmt: skip
        job.splitter = ganga.ArgSplitter(args=[["-c", "pass", str(i)] for i in range(n)])
        job.submit()
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - start
    print(MEASURED, flush=True)
    assert all(sj.status != "new" for sj in job.subjobs), "not every subjob was submitted"
    if results and mode in ("ours", "transfer"):
        assert run.results(timeout=3000) == list(range(n))
        results_seconds = time.perf_counter() - start
    result: dict[str, Any] = {"seconds": elapsed, "returned": returned,
                              "results_seconds": results_seconds}  # fmt: skip
    if profiler:
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(25)
        result["profile"] = text.getvalue()
    print("RESULT " + json.dumps(result), flush=True)  # before the kill: 10,000 take minutes
    if backend == "Condor":  # Ganga's kill of 10,000 subjobs takes minutes: the schedd's
        from ganga_widgets.condor import bindings as condor  # removal, and no more Ganga

        htcondor = condor.bindings()
        htcondor.Schedd().act(htcondor.JobAction.Remove, f'regexp("^{gangadir}", Iwd)')
        os._exit(0)
    actions.kill(objects.implementation(job))
    return result


def _wait_for_an_empty_queue(deadline_s: float = 300) -> None:
    """Every case starts on an idle schedd: the one before removed its jobs on leaving,
    and the schedd cleaning up 1,000 jobs doubled the floor's time."""
    from ganga_widgets.condor import bindings as condor

    schedd = condor.bindings().Schedd()
    deadline = time.monotonic() + deadline_s
    while schedd.query("true", ["ClusterId"], limit=1):
        if time.monotonic() > deadline:
            sys.exit(f"the schedd still holds jobs after {deadline_s:.0f} s: condor_rm -all")
        time.sleep(0.5)
    time.sleep(1)  # its shadows and logs settled


def _identity(x: Any) -> Any:
    return x


def measure(
    mode: str, backend: str, n: int, profile: bool = False, results: bool = False
) -> dict[str, Any]:
    if backend == "Condor":
        _wait_for_an_empty_queue()
    command = [sys.executable, __file__, "--child", mode, backend, str(n)]
    if profile:
        command.append("--profile")
    if results:
        command.append("--results")
    # A HOME of its own: Ganga's Local jobs start with a login shell, which must not run
    # (and, killed midway, leave locks in) the user's profile, e.g. `pyenv rehash`.
    home = tempfile.mkdtemp(prefix="gw-bench-home-")
    env = {**os.environ, "HOME": home}
    proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=1800, cwd="/tmp", env=env)  # fmt: skip
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), "")
    if not line:
        sys.exit(f"{mode} {backend} {n}: no result\n{proc.stdout[-6000:]}")
    # what the submission printed, up to the end of the measurement (not the kill after)
    printed = [x for x in proc.stdout.split(MEASURED)[0].splitlines() if x]
    return {"mode": mode, "backend": backend, "n": n, "lines": len(printed),
            **json.loads(line[len("RESULT ") :])}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 100, 1000])
    parser.add_argument(
        "--repeats", type=int, help="runs of each size (default: 3 below 1,000 items, else 1)"
    )
    parser.add_argument("--backends", nargs="+", default=["Local", "Condor"])
    modes = ["bare", "guarded", "ours", "transfer", "floor"]
    parser.add_argument("--modes", nargs="+", default=modes, help="bare Ganga at 10,000: an hour")
    parser.add_argument("--profile", action="store_true", help="profile the largest, guarded")
    parser.add_argument(
        "--results", action="store_true", help="submit()'s jobs run: time to every result too"
    )
    parser.add_argument(
        "--child", nargs=3, metavar=("MODE", "BACKEND", "N"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        mode, backend, n = args.child
        child(mode, backend, int(n), args.profile, args.results)  # prints its RESULT line
        return

    runs = []
    for backend in args.backends:
        for n in args.sizes:
            modes = [m for m in args.modes if m not in ("floor", "transfer") or backend == "Condor"]
            repeats = args.repeats or (3 if n < 1000 else 1)
            for _ in range(repeats):
                for mode in modes:  # side by side, alternating
                    runs.append(measure(mode, backend, n, results=args.results))
                    print({k: v for k, v in runs[-1].items() if k != "profile"}, flush=True)
    profile = None
    if args.profile:
        biggest = max(args.sizes)
        profile = measure("guarded", args.backends[-1], biggest, profile=True)
    record = {"runs": runs, "profile": profile}
    save("submit", record)
    print(report(runs))
    if any(r["mode"] == "transfer" for r in runs):
        print("\n" + transfer_report(runs))
    if profile:
        print(f"\nwhere guarded Ganga spends {profile['seconds']:.1f} s submitting "
              f"{profile['n']} {profile['backend']} subjobs (cProfile, cumulative):")  # fmt: skip
        print(profile["profile"])


def report(runs: list[dict[str, Any]]) -> str:
    def median(mode: str, backend: str, n: int) -> float | None:
        values = [
            r["seconds"] for r in runs if (r["mode"], r["backend"], r["n"]) == (mode, backend, n)
        ]
        return statistics.median(values) if values else None

    header = ("| backend | items | bare Ganga | guarded | submit() | submit()/bare | floor "
              "| bare/floor | guarded/floor | submit()/floor |")  # fmt: skip
    rows = [header, "|---|---|---|---|---|---|---|---|---|---|"]
    for backend in dict.fromkeys(r["backend"] for r in runs):
        for n in sorted({r["n"] for r in runs if r["backend"] == backend}):
            bare, guarded, ours, floor = (
                median(m, backend, n) for m in ("bare", "guarded", "ours", "floor")
            )
            cells = [f"{x:.2f} s" if x else "—" for x in (bare, guarded, ours)]
            cells.append(f"{ours / bare:.2f}" if ours and bare else "—")
            cells.append(f"{floor:.3f} s" if floor else "—")
            cells += [f"{x / floor:.1f}×" if x and floor else "—" for x in (bare, guarded, ours)]
            rows.append(f"| {backend} | {n:,} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def transfer_report(runs: list[dict[str, Any]]) -> str:
    """submit() without a shared filesystem against with one, on the same slots."""

    def median(mode: str, n: int, key: str) -> float | None:
        values = [r[key] for r in runs if (r["mode"], r["backend"], r["n"]) == (mode, "Condor", n)
                  and r.get(key) is not None]  # fmt: skip
        return statistics.median(values) if values else None

    rows = ["| items | submitted, shared | file transfer | ratio | all results, shared "
            "| file transfer | ratio |", "|---|---|---|---|---|---|---|"]  # fmt: skip
    for n in sorted({r["n"] for r in runs if r["mode"] == "transfer"}):
        cells = []
        for key in ("seconds", "results_seconds"):
            shared, transfer = median("ours", n, key), median("transfer", n, key)
            cells += [f"{x:.2f} s" if x else "—" for x in (shared, transfer)]
            cells.append(f"{transfer / shared:.2f}" if shared and transfer else "—")
        rows.append(f"| {n:,} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


if __name__ == "__main__":
    main()
