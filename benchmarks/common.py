"""What every benchmark script shares: where its results go."""

from __future__ import annotations

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
