"""What HTCondor said of a job (``condor.eventlog.Facts``), as the views show it."""

from __future__ import annotations

import math
import re
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..condor.eventlog import Facts

HELD_GROUPS_SHOWN = 5
HELD_IDS_SHOWN = 10

# HTCondor's hold codes (condor_holdcodes.h) that say what to do about a hold.
OUT_OF_RESOURCES = 34  # the starter: memory (subcode 0) or disk (subcode 104) exceeded
DISK_SUBCODE = 104
TRANSFER_INPUT_ERROR = 13  # subcode: the errno; 2 (ENOENT) is a missing input file
POLICIES = (3, 21, 26)  # the job's, the startd's or the system's policy: its reason says why
# The file in "... reading from file /data/in 7.root: (errno 2) No such file or directory";
# else the first thing that looks like a path
_PATH = re.compile(r"(/[^:]*?)(?=: \(errno \d+\))|(/[^\s:;,'\"()]+)")


def condor_detail(facts: Facts, why_idle_after: float) -> dict[str, Any]:
    """What HTCondor says of one job, for its detail panel."""
    idle_for = None
    if facts.status == "idle" and facts.status_since:
        idle_for = max(0.0, time.time() - facts.status_since)
    return {
        **facts.to_dict(),
        "wall_s": facts.wall_s,
        "idle_for": idle_for,
        "why_idle": idle_for is not None and idle_for >= why_idle_after,
        # while disconnected: when HTCondor stops trying to reconnect (the job lease ends)
        "gives_up_at": (
            facts.disconnected_at + facts.lease_s
            if facts.disconnected_at is not None and facts.lease_s is not None
            else None
        ),
        "can_hold": facts.status in ("idle", "running"),
        "can_release": facts.status == "held",
    }


def held_groups(held: list[tuple[int, Facts]], limit: int = HELD_GROUPS_SHOWN) -> list[dict]:
    """Held subjobs grouped by reason (50 subjobs held for one reason are one line), each
    group with what fits it (``fix``: see :func:`fix`)."""
    groups: dict[tuple, dict[str, Any]] = {}
    for index, facts in held:
        key = (facts.hold_code, facts.hold_reason)
        if key not in groups:
            groups[key] = {
                "reason": facts.hold_reason,
                "code": facts.hold_code,
                "subcode": facts.hold_subcode,
                "count": 0,
                "subjobs": [],
                "fix": fix(facts),
            }
        group = groups[key]
        group["count"] += 1
        if len(group["subjobs"]) < HELD_IDS_SHOWN:
            group["subjobs"].append(index)
        request = facts.memory_request_mb
        if group["fix"]["kind"] == "memory" and request is not None:
            group["fix"]["request_mb"] = max(group["fix"]["request_mb"] or 0, request)
            group["fix"]["suggested_mb"] = more_memory(group["fix"]["request_mb"])
    return sorted(groups.values(), key=lambda g: -g["count"])[:limit]


def fix(facts: Facts) -> dict[str, Any]:
    """What fits a hold: ``memory`` (resubmit asking for more), ``missing_input`` (the
    path; releasing would fail again), else ``release``."""
    code, subcode, reason = facts.hold_code, facts.hold_subcode, facts.hold_reason
    memory = (code == OUT_OF_RESOURCES and subcode != DISK_SUBCODE) or (
        code in POLICIES and "memory" in reason.lower()
    )
    if memory:
        request = facts.memory_request_mb
        return {"kind": "memory", "request_mb": request, "suggested_mb": more_memory(request)}
    if code == TRANSFER_INPUT_ERROR and subcode == 2:
        found = _PATH.search(reason)
        path = (found.group(1) or found.group(2)) if found else ""
        return {"kind": "missing_input", "path": path}
    return {"kind": "release"}


def more_memory(request_mb: float | None) -> int:
    """Twice the request, in whole hundreds of MB (2,048 MB where it is not known)."""
    return 2048 if not request_mb else int(math.ceil(request_mb * 2 / 100) * 100)


def group_key(group: dict[str, Any]) -> tuple[Any, str]:
    """What held subjobs of one group share (the view names a group by it)."""
    return (group.get("code"), str(group.get("reason") or ""))
