"""The schedd and HTCondor's command-line tools, asked about jobs Ganga submitted.

Queries for live usage, hold/release, the schedd's analysis of an idle job and the stderr of
a running one. Every call is bounded in time and in the size of what it returns.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from typing import Any

from .bindings import act_reason, bindings, value

TOOL_TIMEOUT = 30  # seconds for condor_q -better-analyze / condor_tail
ANALYSIS_BYTES = 16 * 1024
TAIL_BYTES = 64 * 1024

# What a live query asks the schedd for, per job.
LIVE_ATTRIBUTES = [
    "ClusterId",
    "ProcId",
    "JobStatus",
    "RemoteHost",
    "RemoteUserCpu",
    "RemoteSysCpu",
    "ResidentSetSize",
    "HoldReason",
    "HoldReasonCode",
    "HoldReasonSubCode",
    "EnteredCurrentStatus",
    "RequestMemory",
    "RequestCpus",
    "JobLeaseDuration",
]
JOB_STATUS = {
    1: "idle",
    2: "running",
    3: "removed",
    4: "completed",
    5: "held",
    6: "transferring",
    7: "suspended",
}


def job_id(job: Any) -> str:
    """``cluster.proc`` of a (sub)job submitted by Ganga's Condor backend, or ''."""
    value = str(getattr(job.backend, "id", "") or "")
    return value if "." in value else ""


def query(clusters: Iterable[int]) -> dict[tuple[int, int], dict[str, Any]]:
    """Live attributes of every job of these clusters still in the queue.

    Raises htcondor.HTCondorException when the schedd cannot be reached."""
    clusters = sorted(set(clusters))
    if not clusters:
        return {}
    htcondor = bindings()
    constraint = " || ".join(f"ClusterId == {c}" for c in clusters)
    ads = htcondor.Schedd().query(constraint=constraint, projection=LIVE_ATTRIBUTES)
    result = {}
    for ad in ads:
        key = (int(ad["ClusterId"]), int(ad["ProcId"]))
        result[key] = {name: value(ad, name) for name in LIVE_ATTRIBUTES if name in ad}
    return result


def act(action: str, ids: list[str], reason: str) -> tuple[int, str]:
    """Hold, release or remove jobs by ``cluster.proc``; returns (how many, error text)."""
    htcondor = bindings()
    actions = htcondor.JobAction
    kind = {"hold": actions.Hold, "release": actions.Release, "remove": actions.Remove}[action]
    try:
        result = htcondor.Schedd().act(kind, ids, reason=act_reason(htcondor, reason))
    except htcondor.HTCondorException as err:
        return 0, str(err)
    done = int(value(result, "TotalSuccess") or 0)
    failed = len(ids) - done
    return done, "" if not failed else f"{failed} of {len(ids)} jobs refused the {action}"


def _tool(name: str) -> str | None:
    return shutil.which(name)


def analyze(condor_id: str) -> str:
    """The schedd's explanation of why a job does not run (``condor_q -better-analyze``)."""
    tool = _tool("condor_q")
    if tool is None:
        return (
            "condor_q is not on this kernel's PATH, so the schedd's analysis cannot be run "
            "here; from a terminal on the submit machine: condor_q -better-analyze " + condor_id
        )
    out = _run([tool, "-better-analyze", condor_id])
    return out[-ANALYSIS_BYTES:].decode("utf-8", "replace").strip()


def tail_stderr(condor_id: str, max_bytes: int = TAIL_BYTES) -> tuple[bytes, str]:
    """The end of a running job's stderr, fetched from its execute node by condor_tail
    (takes a second or two: never call it where updates must not wait); (data, error)."""
    tool = _tool("condor_tail")
    if tool is None:
        return b"", "condor_tail is not on this kernel's PATH: stderr arrives when the job ends"
    try:
        proc = subprocess.run(
            [tool, "-maxbytes", str(max_bytes), "-stderr", condor_id],
            capture_output=True,
            timeout=TOOL_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return b"", f"condor_tail gave no answer within {TOOL_TIMEOUT} s"
    if proc.returncode != 0:
        return b"", proc.stderr.decode("utf-8", "replace").strip()[:300] or "condor_tail failed"
    return proc.stdout[-max_bytes:], ""


def _run(command: list[str]) -> bytes:
    try:
        proc = subprocess.run(command, capture_output=True, timeout=TOOL_TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"{os.path.basename(command[0])} gave no answer within {TOOL_TIMEOUT} s".encode()
    return proc.stdout + proc.stderr
