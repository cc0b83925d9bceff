"""What every benchmark script shares: where its results go."""

from __future__ import annotations

import importlib
import json
import os
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def results_dir() -> Path:
    """benchmarks/results/, or $GW_BENCH_RESULTS (the harness's choice for a run)."""
    return Path(os.environ.get("GW_BENCH_RESULTS") or HERE / "results")


def save(name: str, data: Any) -> Path:
    """Write a run's figures as JSON; returns the file."""
    folder = results_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(data, indent=2))
    print(f"RESULTS {path}", flush=True)
    return path


def bare_ganga(gangadir: str) -> Any:
    """Ganga 8.7.12 as it comes (its defaults, no ganga_widgets guard), bootstrapped in this
    process on ``gangadir``; returns its public interface. With htcondor 25 Ganga alone
    cannot submit to Condor at all: it gets the version-1 names, and nothing else."""
    os.environ["GANGA_CONFIG_FILE"] = "/nonexistent"
    import ganga
    from GangaCore.Utility.Config import setConfigOption

    setConfigOption("Configuration", "gangadir", gangadir)
    import ganga.ganga  # the bootstrap

    from ganga_widgets.ganga_adapter import condor_guards

    condor_module = importlib.import_module("GangaCore.Lib.Condor.Condor")
    if "htcondor" not in vars(condor_module):
        condor_guards.give_condor_version_1_names(condor_module)
    ganga.enableMonitoring()  # as the ganga CLI does
    return ganga
