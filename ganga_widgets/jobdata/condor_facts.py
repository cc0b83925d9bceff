"""What HTCondor said of a job (``condor.eventlog.Facts``), as the views show it."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..condor.eventlog import Facts

HELD_GROUPS_SHOWN = 5
HELD_IDS_SHOWN = 10


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
    """Held subjobs grouped by reason (50 subjobs held for one reason are one line)."""
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
            }
        group = groups[key]
        group["count"] += 1
        if len(group["subjobs"]) < HELD_IDS_SHOWN:
            group["subjobs"].append(index)
    return sorted(groups.values(), key=lambda g: -g["count"])[:limit]
