"""The benchmark harness runs every benchmark, at a tiny size, so that none can rot.

It asserts that each ran and reported a comparison with its baseline, never a time.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from places import ROOT

from benchmarks.__main__ import BENCHMARKS


# One that hangs is killed by the harness at its limit and named, within this timeout.
@pytest.mark.timeout(sum(b.tiny_limit for b in BENCHMARKS.values()) + 120)
@pytest.mark.usefixtures("condor_pool")  # the Condor benchmarks run too
def test_every_benchmark_runs_in_tiny_mode(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--tiny", "--results",
                           str(tmp_path)], cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    [summary_file] = tmp_path.glob("all-*.json")
    summary = json.loads(summary_file.read_text())
    for name, run in summary.items():  # a failed one's own output, first
        assert not run.get("error"), f"{name}: {run.get('error')}"
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    assert set(summary) == set(BENCHMARKS), summary  # every one ran, none was skipped
    for name, run in summary.items():
        assert run["returncode"] == 0 and Path(run["results"]).exists(), (name, run)
    report = summary_file.with_suffix(".md").read_text()
    for name in summary:
        assert f"## {name} (" in report, report
    assert report.count("ratio") >= 3, report  # every table compares with its baseline

    # Not times: what a user would see wrong. The storm's last message shows every subjob's
    # final status, and closed widgets leave nothing behind.
    scale = json.loads(Path(summary["scale"]["results"]).read_text())
    assert all(storm["ours"]["final_exact"] for storm in scale["storms"]), scale["storms"]
    assert scale["memory"]["alive_after_close"] == 0, scale["memory"]
    assert scale["memory"]["listeners_left"] == 0, scale["memory"]
