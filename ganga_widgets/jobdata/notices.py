"""What a job's view says is wrong, one line each: the gangadir refusing writes, a missing
output directory, a failed submission, a removed job, the batch system out of reach."""

from __future__ import annotations

import os
from typing import Any

from .sources import BatchMonitor, Sources


def notice(
    summary: dict[str, Any],
    sources: Sources,
    master_id: int,
    is_master: bool,
    batch: BatchMonitor | None,
) -> str:
    """Every problem the user should know about, one per line (``summary``: the header's)."""
    problems: list[str | None] = [sources.writes_refused()]
    outputdir = summary["outputdir"]
    status = summary["status"]
    # A split job's output is in its subjobs' dirs (a Condor master has none of its own);
    # a job being submitted (maybe being split) or removed has none to read.
    own_output = status not in ("new", "submitting", "removed") and not summary["subjobs"]
    if own_output and outputdir and not _readable_dir(outputdir):
        problems.append(f"the job's output directory is missing or unreadable: {outputdir}")
    if status == "removed":
        problems.append(removed(sources, master_id))
    elif is_master and status == "new":
        failed = sources.submit_failure(master_id)
        if failed:
            problems.append(f"submitting the job failed: {failed}")
    if batch is not None:
        problems.append(batch.problem())
    return "\n".join(p for p in problems if p)


def removed(sources: Sources, master_id: int) -> str:
    """What a view of a job removed from the registry says."""
    failed = sources.submit_failure(master_id)
    if failed:
        return (
            f"submitting job {master_id} failed, so it was removed from the "
            f"registry (nothing of it runs): {failed}"
        )
    return f"job {master_id} was removed from the registry"


def _readable_dir(path: str) -> bool:
    return os.path.isdir(path) and os.access(path, os.R_OK | os.X_OK)
