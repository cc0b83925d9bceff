"""Every benchmark of the project, one after another, and one table of their results.

Usage:  .venv-3.11/bin/python -m benchmarks [--tiny] [--only NAME ...] [--results DIR]

Each benchmark is a script of this folder, run in a process of its own; each measures its
baseline in the same run and reports ratios. This writes what each printed, and where its
JSON went, to ``<results>/all-<stamp>.md`` and ``.json``. ``--tiny`` runs every one at a
size that takes seconds: the test suite does so, so that none can rot. It never asserts a
time. Without an HTCondor pool (no CONDOR_CONFIG), the Condor parts are left out, and the
table says so.

A benchmark that outlives ``--timeout`` is killed with everything it started (its process
group, and the Jupyter kernels below it, which are in sessions of their own), and reported as
failed with the tail of what it had printed and where it was: before the kill, its Jupyter
kernels write every thread's stack (``<name>.kernel-<pid>.log``, included in the failure) and
so does its driver (``<name>.stderr.log``). A hang names itself rather than stalling the run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

from .common import HERE, results_dir


class Benchmark(NamedTuple):
    full: list[str]  # the arguments of a full-size run
    tiny: list[str]  # those of a run that takes seconds
    condor: bool  # needs the HTCondor pool
    # seconds a tiny run may take before it is killed: several times what one took on a
    # loaded 2-core machine (condor_updates waits on Ganga's own 30 s poll, twice)
    tiny_limit: float = 120


BENCHMARKS: dict[str, Benchmark] = {
    "job_widget": Benchmark([], ["--subjobs", "4", "--storm", "50"], False),
    "scale": Benchmark([], ["--sizes", "20", "50", "--flushes", "3", "--widgets", "2"], False),
    "browser_render": Benchmark(
        [],
        ["--subjobs", "50", "--jobs", "20", "--table-changes", "5", "--table-seconds", "1"],
        False,
    ),
    "table": Benchmark(
        [],
        ["--sizes", "20", "--changing", "3", "--split-jobs", "1", "--flushes", "3"],
        False,
    ),
    "submit": Benchmark(  # 30 s here, the jobs of both modes run to the end
        [], ["--sizes", "3", "--repeats", "1", "--results"], False, tiny_limit=240
    ),
    "registry_write": Benchmark([], ["--sizes", "120", "--rewrites", "1"], False),
    "follow_owner": Benchmark([], ["--sizes", "20", "--seconds", "4"], False),
    "condor_updates": Benchmark(
        [],
        # the 3-subjob case alone: each case waits on Ganga's 30 s poll, twice
        ["--repeats", "0", "--sleep", "0.5", "--big", "3", "--deadline", "120"],
        True,
        tiny_limit=420,
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
    parser.add_argument(
        "--timeout", type=float, help="seconds each benchmark may take (default: its own"
        " limit with --tiny, 3 hours without)",
    )  # fmt: skip
    args = parser.parse_args(argv)

    folder = args.results or results_dir()
    folder.mkdir(parents=True, exist_ok=True)
    # a benchmark's driver prints each thread's stack on SIGABRT, and its kernels on SIGUSR1
    # (kernel_side/__init__.py), so one that hangs says where before it is killed
    env = {**os.environ, "GW_BENCH_RESULTS": str(folder), "PYTHONFAULTHANDLER": "1"}
    condor = bool(os.environ.get("CONDOR_CONFIG"))
    summary: dict[str, dict] = {}
    sections = [
        f"# Benchmarks, {time.strftime('%Y-%m-%d %H:%M')}" + (" (tiny)" if args.tiny else "")
    ]
    for name in args.only or list(BENCHMARKS):
        bench = BENCHMARKS[name]
        timeout = args.timeout or (bench.tiny_limit if args.tiny else 3 * 3600.0)
        command = [
            sys.executable,
            str(HERE / f"{name}.py"),
            *(bench.tiny if args.tiny else bench.full),
        ]
        if name == "submit" and not condor:
            command += ["--backends", "Local"]
        if bench.condor and not condor:
            summary[name] = {"skipped": "no HTCondor pool (CONDOR_CONFIG is not set)"}
            sections.append(f"## {name}\n\nskipped: {summary[name]['skipped']}")
            continue
        print(f"[benchmarks] {name}: {' '.join(command[2:]) or '(full size)'}", flush=True)
        log, errors = folder / f"{name}.log", folder / f"{name}.stderr.log"
        stacks = folder / f"{name}.kernel"
        started = time.monotonic()
        returncode = run_bounded(command, {**env, "GW_BENCH_STACKS": str(stacks)}, log, errors,
                                 timeout)  # fmt: skip
        seconds = time.monotonic() - started
        stacked = kernel_stacks(stacks)
        output = log.read_text(errors="replace")
        tail = (errors.read_text(errors="replace")[-1500:] + "\n" + output[-1500:]).strip()
        lines = output.splitlines()
        saved = [line.split(" ", 1)[1] for line in lines if line.startswith("RESULTS ")]
        report = "\n".join(lines[lines.index(f"RESULTS {saved[-1]}") + 1 :]) if saved else ""
        summary[name] = {
            "command": command[1:],
            "seconds": round(seconds, 1),
            "returncode": returncode,
            "results": saved[-1] if saved else None,
        }
        if returncode is None:
            summary[name]["error"] = f"killed after {timeout:.0f} s:\n{tail}{stacked}"
            sections.append(f"## {name}: KILLED after {timeout:.0f} s, see {name}.log")
        elif returncode != 0 or not saved:
            summary[name]["error"] = tail
            sections.append(f"## {name}: FAILED (exit {returncode}), see {name}.log")
        else:
            sections.append(f"## {name} ({seconds:.0f} s)\n\n{report.strip()}")
        print(sections[-1] + "\n", flush=True)

    stamp = time.strftime("%Y%m%d-%H%M%S")
    (folder / f"all-{stamp}.json").write_text(json.dumps(summary, indent=2))
    (folder / f"all-{stamp}.md").write_text("\n\n".join(sections) + "\n")
    print(f"[benchmarks] wrote {folder / f'all-{stamp}.md'}")
    return 1 if any(s.get("error") or s.get("returncode") for s in summary.values()) else 0


def run_bounded(
    command: list[str], env: dict[str, str], log: Path, errors: Path, timeout: float
) -> int | None:
    """Run ``command`` with its output going to ``log`` and ``errors`` as it comes (kept if
    it is killed); its exit code, or None when it outlived ``timeout`` and was killed."""
    with log.open("w") as out, errors.open("w") as err:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=err, start_new_session=True)
        try:
            return proc.wait(timeout)
        except subprocess.TimeoutExpired:
            kernels = [pid for pid in descendants(proc.pid) if b"ipykernel" in cmdline(pid)]
            for pid in kernels:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGUSR1)  # their stacks, into files of their own
            time.sleep(3 if kernels else 0)
            os.killpg(proc.pid, signal.SIGABRT)  # the driver's, into its stderr log
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(10)
            with contextlib.suppress(ProcessLookupError):  # gone already, if all took SIGABRT
                os.killpg(proc.pid, signal.SIGKILL)  # what ignored it, and its children
            for pid in kernels:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            proc.wait()
            return None
        finally:
            try:  # whatever it left running (a server, a browser, a Local job) goes too
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def descendants(root: int) -> list[int]:
    """Every live process below ``root`` (kernels and servers are in sessions of their own,
    so not in its process group)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                # the field after the parenthesised command name is the state, then the ppid
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [root]
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def cmdline(pid: int) -> bytes:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes()
    except OSError:
        return b""


def kernel_stacks(prefix: Path, limit: int = 20000) -> str:
    """What the kernels of a benchmark wrote on SIGUSR1 (the end of each); the files of
    kernels that wrote nothing (none was killed) are removed."""
    parts = []
    for path in sorted(prefix.parent.glob(prefix.name + "-*.log")):
        text = path.read_text(errors="replace").strip()
        if text:
            parts.append(f"\n--- stacks of the kernel in {path.name}:\n{text[-limit:]}")
        else:
            path.unlink()
    return "".join(parts)


if __name__ == "__main__":
    sys.exit(main())
