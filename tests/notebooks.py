"""Running example notebooks in a real kernel, as a newcomer would (nbclient)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import nbformat
from conftest import ROOT

EXAMPLES = ROOT / "examples"


def execute(name: str, home: Path, artifacts: Path, timeout: int = 240) -> Any:
    """Run examples/<name> in a new kernel; fail with the cell's error if one raises."""
    from nbclient import NotebookClient

    nb = nbformat.read(EXAMPLES / name, as_version=4)
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HOME": str(home)}
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(home)}})  # fmt: skip
    try:
        client.execute(env=env)
    finally:
        nbformat.write(nb, artifacts / f"executed-{name}")
    return nb
