"""Whether the venv of the Python running this already holds this clone (installed editable,
as pyproject.toml now stands) with the extras and requirements asked: then scripts/demo and
scripts/test start without pip, and a venv in use is not reinstalled under its users.

    venv_ready.py "[demo]" "htcondor>=25"   # exit 0: ready; 1: pip is needed
    venv_ready.py --record                  # after a successful install: as pyproject.toml is
"""

from __future__ import annotations

import hashlib
import json
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# pyproject.toml's hash when this venv was last installed: a changed dependency or extra is
# not in the installed metadata until pip runs again.
STAMP = Path(sys.prefix) / ".ganga_widgets-pyproject.sha256"


def pyproject_hash() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ready(extras: str, requirements: list[str]) -> bool:
    """Raises where something cannot be read: no packaging means the extras (JupyterLab's
    dependency brings it) were never installed; no stamp, no install of ours."""
    from packaging.requirements import Requirement

    dist = metadata.distribution("ganga_widgets")
    where = json.loads(dist.read_text("direct_url.json") or "{}")
    if STAMP.read_text().strip() != pyproject_hash() or where.get("url") != ROOT.as_uri():
        return False
    if not where.get("dir_info", {}).get("editable"):
        return False

    def installed(requirement: Requirement) -> bool:
        try:
            version = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            return False
        return requirement.specifier.contains(version, prereleases=True)

    asked = {"", *(e.strip() for e in extras.strip("[]").split(","))}
    wanted = [Requirement(r) for r in requirements]
    for line in dist.requires or []:
        r = Requirement(line)
        if not r.marker or any(r.marker.evaluate({"extra": e}) for e in asked):
            wanted.append(r)
    return all(installed(r) for r in wanted)


if __name__ == "__main__":
    if sys.argv[1:] == ["--record"]:
        STAMP.write_text(pyproject_hash() + "\n")
    else:
        try:
            answer = ready(sys.argv[1] if len(sys.argv) > 1 else "", sys.argv[2:])
        except Exception:  # what could not be read, pip settles
            answer = False
        sys.exit(0 if answer else 1)
