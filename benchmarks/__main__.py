"""Every benchmark of the project, one after another, and one table of their results.

Usage:  .venv-3.11/bin/python -m benchmarks [--tiny] [--only NAME ...] [--results DIR]

Each benchmark is a script of this folder, run in a process of its own; each measures its
baseline in the same run and reports ratios. This writes what each printed, and where its
JSON went, to ``<results>/all-<stamp>.md`` and ``.json``. ``--tiny`` runs every one at a
size that takes seconds: the test suite does so, so that none can rot. It never asserts a
time. Without an HTCondor pool (no CONDOR_CONFIG), the Condor parts are left out, and the
table says so.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from .common import HERE, results_dir

# name -> (full-size arguments, tiny arguments, needs HTCondor)
BENCHMARKS: dict[str, tuple[list[str], list[str], bool]] = {
    "job_widget": ([], ["--subjobs", "4", "--storm", "50"], False),
    "scale": ([], ["--sizes", "20", "50", "--flushes", "3", "--widgets", "2"], False),
    "browser_render": (
        [],
        ["--subjobs", "50", "--jobs", "20", "--table-changes", "5", "--table-seconds", "1"],
        False,
    ),
    "table": (
        [],
        ["--sizes", "20", "--changing", "3", "--split-jobs", "1", "--flushes", "3"],
        False,
    ),
    "submit": ([], ["--sizes", "1", "3", "--repeats", "1"], False),
    "registry_write": ([], ["--sizes", "120", "--rewrites", "1"], False),
    "condor_updates": (
        [],
        ["--repeats", "1", "--sleep", "0.5", "--big", "3", "--deadline", "120"],
        True,
    ),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--tiny", action="store_true", help="every benchmark at a tiny size")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), help="just these")
    parser.add_argument(
        "--results", type=Path, help="where results go (default: benchmarks/results)"
    )
    args = parser.parse_args(argv)

    folder = args.results or results_dir()
    folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "GW_BENCH_RESULTS": str(folder)}
    condor = bool(os.environ.get("CONDOR_CONFIG"))
    summary: dict[str, dict] = {}
    sections = [
        f"# Benchmarks, {time.strftime('%Y-%m-%d %H:%M')}" + (" (tiny)" if args.tiny else "")
    ]
    for name in args.only or list(BENCHMARKS):
        full, tiny, needs_condor = BENCHMARKS[name]
        command = [sys.executable, str(HERE / f"{name}.py"), *(tiny if args.tiny else full)]
        if name == "submit" and not condor:
            command += ["--backends", "Local"]
        if needs_condor and not condor:
            summary[name] = {"skipped": "no HTCondor pool (CONDOR_CONFIG is not set)"}
            sections.append(f"## {name}\n\nskipped: {summary[name]['skipped']}")
            continue
        print(f"[benchmarks] {name}: {' '.join(command[2:]) or '(full size)'}", flush=True)
        started = time.monotonic()
        proc = subprocess.run(command, env=env, capture_output=True, text=True)
        seconds = time.monotonic() - started
        lines = proc.stdout.splitlines()
        saved = [line.split(" ", 1)[1] for line in lines if line.startswith("RESULTS ")]
        report = "\n".join(lines[lines.index(f"RESULTS {saved[-1]}") + 1 :]) if saved else ""
        summary[name] = {
            "command": command[1:],
            "seconds": round(seconds, 1),
            "returncode": proc.returncode,
            "results": saved[-1] if saved else None,
        }
        (folder / f"{name}.log").write_text(proc.stdout + proc.stderr)
        if proc.returncode != 0 or not saved:
            summary[name]["error"] = (proc.stderr or proc.stdout)[-2000:]
            sections.append(f"## {name}: FAILED (exit {proc.returncode}), see {name}.log")
        else:
            sections.append(f"## {name} ({seconds:.0f} s)\n\n{report.strip()}")
        print(sections[-1] + "\n", flush=True)

    stamp = time.strftime("%Y%m%d-%H%M%S")
    (folder / f"all-{stamp}.json").write_text(json.dumps(summary, indent=2))
    (folder / f"all-{stamp}.md").write_text("\n\n".join(sections) + "\n")
    print(f"[benchmarks] wrote {folder / f'all-{stamp}.md'}")
    return 1 if any(s.get("error") or s.get("returncode") for s in summary.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
