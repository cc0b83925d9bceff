"""What HTCondor said of a job (``condor.facts.Facts``), as the views show it."""

from __future__ import annotations

import functools
import math
import re
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..condor.facts import Facts

HELD_GROUPS_SHOWN = 6  # causes shown one by one; the rest gather in one group
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


def cause(facts: Facts) -> str:
    """What subjobs held for one cause share: the hold code and subcode, and the reason
    with what differs from job to job taken out (the slot it came from, paths, figures).
    HTCondor's own memory hold names each job's usage: "Error from slot1@n1: Job has gone
    over cgroup memory limit of 100 megabytes. Last measured usage: 281 megabytes..."."""
    return f"{facts.hold_code}.{facts.hold_subcode or 0}: {_general(facts.hold_reason)}"


@functools.lru_cache(maxsize=8192)  # a view recounts its held subjobs at every update
def _general(reason: str) -> str:
    text = _FIGURE.sub("#", _SOMEWHERE.sub("<path>", _FROM_SLOT.sub("", reason)))
    return " ".join(text.lower().split())


_FROM_SLOT = re.compile(r"^\s*Error from [^\s:]+:\s*")
_SOMEWHERE = re.compile(r"(?:\S+@\S+|/[^\s:;,'\"()]+)")  # a slot, a host, a path
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
OTHER = "other"  # the key of the group that gathers the causes past HELD_GROUPS_SHOWN


def held_groups(held: list[tuple[int | None, Facts]]) -> list[dict]:
    """Held subjobs (``None``: a job without subjobs) grouped by :func:`cause`, the most
    held first, each with what fits it (``fix``: see :func:`fix`). Every held subjob is in
    a group: causes past ``HELD_GROUPS_SHOWN`` gather in one (key ``OTHER``), though a
    group held for memory is always shown on its own (its fix is its own)."""
    members = _members(held)
    groups = []
    for key, found in members.items():
        first = found[0][1]
        group: dict[str, Any] = {
            "key": key,
            "reason": first.hold_reason,
            "code": first.hold_code,
            "subcode": first.hold_subcode,
            "count": len(found),
            "subjobs": [i for i, _ in found[:HELD_IDS_SHOWN] if i is not None],
            "fix": memory_fix([f for _, f in found]) if held_for_memory(first) else fix(first),
        }
        groups.append(group)
    groups.sort(key=lambda g: (-g["count"], g["key"]))
    shown = [g for g in groups if g["fix"]["kind"] == "memory"]
    rest = [g for g in groups if g["fix"]["kind"] != "memory"]
    room = max(1, HELD_GROUPS_SHOWN - len(shown))
    if len(rest) > room:
        folded = rest[room - 1 :]
        ids = [i for g in folded for i in g["subjobs"]][:HELD_IDS_SHOWN]
        rest = [*rest[: room - 1], {
            "key": OTHER, "reason": f"{len(folded)} other reasons: see each subjob",
            "code": None, "subcode": None, "count": sum(g["count"] for g in folded),
            "subjobs": sorted(ids), "fix": {"kind": "release"},
        }]  # fmt: skip
    return sorted([*shown, *rest], key=lambda g: (g["key"] == OTHER, -g["count"], g["key"]))


def held_members(held: list[tuple[int | None, Facts]], key: str) -> list[int | None]:
    """Every held subjob of the group ``key`` (of :func:`held_groups`), not only those it
    lists; ``"memory"``: every subjob held for memory, whatever its group."""
    members = _members(held)
    if key == "memory":
        return [i for found in members.values() for i, f in found if held_for_memory(f)]
    if key != OTHER:
        return [i for i, _ in members.get(key, [])]
    shown = {g["key"] for g in held_groups(held)}
    return [i for k, found in members.items() if k not in shown for i, _ in found]


def _members(held: list[tuple[int | None, Facts]]) -> dict[str, list[tuple[int | None, Facts]]]:
    members: dict[str, list[tuple[int | None, Facts]]] = {}
    for index, facts in held:
        members.setdefault(cause(facts), []).append((index, facts))
    return members


def fix(facts: Facts) -> dict[str, Any]:
    """What fits a hold: ``memory`` (resubmit asking for more), ``missing_input`` (the
    path; releasing would fail again), else ``release``."""
    code, subcode, reason = facts.hold_code, facts.hold_subcode, facts.hold_reason
    if held_for_memory(facts):
        return memory_fix([facts])
    if code == TRANSFER_INPUT_ERROR and subcode == 2:
        found = _PATH.search(reason)
        path = (found.group(1) or found.group(2)) if found else ""
        return {"kind": "missing_input", "path": path}
    return {"kind": "release"}


def held_for_memory(facts: Facts) -> bool:
    code, reason = facts.hold_code, facts.hold_reason
    return (code == OUT_OF_RESOURCES and facts.hold_subcode != DISK_SUBCODE) or (
        code in POLICIES and "memory" in reason.lower()
    )


MEMORY_MARGIN = 1.25  # over the largest measured peak: usage varies from run to run


def memory_fix(held: list[Facts]) -> dict[str, Any]:
    """What to ask for, from what was measured of subjobs held for memory: the largest
    peak (the hold reason's own figure, or HTCondor's measurements of the run) times
    ``MEMORY_MARGIN``, never less than twice the largest request; in whole hundreds of MB."""
    requests = [f.memory_request_mb for f in held if f.memory_request_mb]
    request = max(requests) if requests else None
    peaks = [(p, source) for f in held for p, source in _peaks(f)]
    peak, source = max(peaks) if peaks else (None, "")
    wanted = [2 * request] if request else []
    if peak is not None:
        wanted.append(peak * MEMORY_MARGIN)
    suggested = int(math.ceil(max(wanted) / 100) * 100) if wanted else 2048
    return {"kind": "memory", "request_mb": request, "peak_mb": peak, "peak_from": source,
            "suggested_mb": suggested}  # fmt: skip


@functools.lru_cache(maxsize=8192)
def _usage_said(reason: str) -> float | None:
    """The usage a hold reason names, in MB."""
    said = _USAGE.search(reason)
    if not said:
        return None
    return float(said.group(1)) * (1024 if said.group(2).lower().startswith("g") else 1)


# "Last measured usage: 281 megabytes" (HTCondor's cgroup hold), "Peak usage: 281 megabytes"
_USAGE = re.compile(
    r"(?:usage|used|peak)[^0-9]{0,20}?(\d+(?:\.\d+)?)\s*(megabytes|mb|gigabytes|gb)", re.I
)


def _peaks(f: Facts) -> list[tuple[float, str]]:
    found = []
    said = _usage_said(f.hold_reason)
    if said is not None:
        found.append((said, "the hold reason"))
    if f.memory_peak_mb:
        found.append((f.memory_peak_mb, "HTCondor's measurements"))
    return found
