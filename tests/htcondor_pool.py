"""The project's personal HTCondor pool (scripts/htcondor-pool) and its condor_* tools, used
as a user would in a terminal."""

from __future__ import annotations

import subprocess

from places import ROOT

POOL = ROOT / "scripts" / "htcondor-pool"


def pool_is_free() -> bool:
    """No job idle or running (a held one takes no slot), and every slot unclaimed."""
    queue = condor_tool("condor_q", "-allusers", "-constraint", "JobStatus == 1 || JobStatus == 2",
                        "-af", "ClusterId").split()  # fmt: skip
    states = condor_tool("condor_status", "-af", "State").split()
    return not queue and bool(states) and all(s == "Unclaimed" for s in states)


def condor_tool(*args: str) -> str:
    """Run one of the pool's condor_* tools, as a user would in a terminal."""
    proc = _tool(args)
    assert proc.returncode == 0, f"{' '.join(args)}: {proc.stdout}{proc.stderr}"
    return proc.stdout


def condor_answer(*args: str) -> str | None:
    """A condor_* tool's output, or None while the daemon it asks does not answer (just
    restarted, say): for conditions waited on."""
    proc = _tool(args)
    return proc.stdout if proc.returncode == 0 else None


def _tool(args: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=60, cwd="/tmp")
