"""Running example notebooks in a real kernel, as a newcomer would (nbclient)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

import nbformat
from places import ROOT

EXAMPLES = ROOT / "examples"


# Noise a user must never see in a cell: Python's warnings about Ganga's code or job scripts,
# and Ganga's own log lines ("INFO     submitting job 3"): the widget shows those.
WARNINGS = ("DeprecationWarning", "SyntaxWarning")
GANGA_LINE = re.compile(r"^(?:\x1b\[[0-9;]*m)*(?:INFO|WARNING) +\S.*$", re.M)


def text_of(nb: Any) -> str:
    """What the notebook printed (streams, stderr too, and plain-text results)."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", "") or out.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def kernel_env(env: dict[str, str]) -> dict[str, str]:
    """A kernel's environment as Jupyter gives it: ipykernel stops forwarding what the
    kernel's processes write to its stdout/stderr (as a job script's warnings) into the cell
    when PYTEST_CURRENT_TEST is set, which would hide from the tests what users see."""
    return {k: v for k, v in env.items() if k != "PYTEST_CURRENT_TEST"}


def execute(
    name: str,
    home: Path,
    artifacts: Path,
    timeout: int = 240,
    nb: Any = None,
    ganga_quiet: bool = True,
) -> Any:
    """Run examples/<name> (or the notebook ``nb``, saved under that name) in a new kernel;
    fail with the cell's error if one raises, if a cell shows a Python warning, or (with
    ``ganga_quiet``) a line of Ganga's log."""
    from nbclient import NotebookClient

    if nb is None:
        nb = nbformat.read(EXAMPLES / name, as_version=4)
    home.mkdir(parents=True, exist_ok=True)
    env = kernel_env({**os.environ, "HOME": str(home)})
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(home)}})  # fmt: skip
    try:
        client.execute(env=env)
    finally:
        nbformat.write(nb, artifacts / f"executed-{name}")
    printed = text_of(nb)
    shown = [w for w in WARNINGS if w in printed]
    assert not shown, f"{name} shows {shown} in its outputs:\n{printed}"
    logged = GANGA_LINE.findall(printed)
    assert not (ganga_quiet and logged), f"{name} prints Ganga's log: {logged[:5]}"
    return nb
