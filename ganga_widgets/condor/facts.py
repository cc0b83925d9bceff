"""What HTCondor said about one job, folded into ``Facts``: the state machine of an
HTCondor job (``STATUS_AFTER``, one status per event type; ``RECORD``, what else each event
tells), fed by the job's event log (``eventlog``) and the schedd's live ads (``merge_live``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from ..vocabulary import logs
from ..vocabulary.status import BatchStatus
from .schedd import JOB_STATUS

_USAGE = re.compile(r"Usr (\d+) (\d+):(\d+):(\d+), Sys (\d+) (\d+):(\d+):(\d+)")


@dataclass
class Facts:
    """What HTCondor said about one job, from its event log and the schedd."""

    status: BatchStatus = ""  # "": no event yet
    status_since: float | None = None  # epoch seconds
    submitted: float | None = None
    started: float | None = None
    ended: float | None = None
    slot: str = ""  # e.g. slot1@node.cern.ch
    host: str = ""
    memory_mb: float | None = None  # last reported resident memory
    memory_peak_mb: float | None = None
    cpu_s: float | None = None
    hold_reason: str = ""
    hold_code: int | None = None
    hold_subcode: int | None = None
    evictions: int = 0
    note: str = ""  # e.g. "job disconnected, attempting to reconnect"
    memory_request_mb: float | None = None  # RequestMemory
    cpus_request: int | None = None  # RequestCpus
    disconnected_at: float | None = None  # since when HTCondor tries to reconnect
    lease_s: float | None = None  # JobLeaseDuration: how long it tries before giving up
    # What happened to the job's connection to its slot, with times: bounded, newest last
    history: list[tuple[float, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def wall_s(self) -> float | None:
        if self.started is None:
            return None
        return (self.ended or self.status_since or self.started) - self.started


# Each event type, the status it leaves the job in: the state machine of one HTCondor job.
STATUS_AFTER: dict[str, BatchStatus] = {
    "SUBMIT": "idle",
    "EXECUTE": "running",
    "JOB_EVICTED": "idle",
    "JOB_HELD": "held",
    "JOB_RELEASED": "idle",
    "JOB_SUSPENDED": "suspended",
    "JOB_UNSUSPENDED": "running",
    "JOB_TERMINATED": "completed",
    "JOB_ABORTED": "removed",
}

Get = Callable[[str], Any]  # an event's attribute by name, None if it has none


HISTORY_KEPT = 10


def _happened(f: Facts, when: float, what: str) -> None:
    f.history.append((when, what))
    del f.history[:-HISTORY_KEPT]


def _submitted(f: Facts, when: float, get: Get) -> None:
    f.submitted = when


def _executing(f: Facts, when: float, get: Get) -> None:
    f.started, f.ended = when, None
    f.slot = str(get("SlotName") or "")
    f.host = _host(f.slot, str(get("ExecuteHost") or ""))
    f.note = ""
    f.disconnected_at = None
    if f.history:  # a start after trouble is part of the story; the first is not
        _happened(f, when, f"running again on {f.slot or f.host or 'a slot'}")


def _image_size(f: Facts, when: float, get: Get) -> None:
    rss_kb = get("ResidentSetSize")
    _memory(f, rss_kb / 1024 if isinstance(rss_kb, (int, float)) else get("MemoryUsage"))


def _evicted(f: Facts, when: float, get: Get) -> None:
    f.evictions += 1
    f.note = f"evicted from {f.slot or f.host or 'its slot'}: queued to run again"
    f.disconnected_at = None
    _happened(f, when, f"evicted from {f.slot or f.host or 'its slot'}")


def _held(f: Facts, when: float, get: Get) -> None:
    f.hold_reason = logs.clean_line(str(get("HoldReason") or ""), 1000)
    f.hold_code = get("HoldReasonCode")
    f.hold_subcode = get("HoldReasonSubCode")
    f.note = ""  # the hold reason says it all (not "evicted: queued to run again")


def _terminated(f: Facts, when: float, get: Get) -> None:
    f.ended = when
    f.disconnected_at = None
    _memory(f, get("MemoryUsage"))  # the peak, in MB
    f.cpu_s = _usage_seconds(str(get("RunRemoteUsage") or ""))
    _requests(f, get)


def _aborted(f: Facts, when: float, get: Get) -> None:
    f.ended = when
    f.note = logs.clean_line(str(get("Reason") or "removed"), 300)


def _requests(f: Facts, get: Get) -> None:
    memory, cpus = get("RequestMemory"), get("RequestCpus")
    if isinstance(memory, (int, float)):
        f.memory_request_mb = float(memory)
    if isinstance(cpus, int):
        f.cpus_request = cpus


def _note(
    text: str | None, attribute: str = "", said: str = ""
) -> Callable[[Facts, float, Get], None]:
    """An event that only says something about the connection to the job (``said``: the
    words for its history; none: the note, if any)."""

    def record(f: Facts, when: float, get: Get) -> None:
        given = logs.clean_line(str(get(attribute) or ""), 300) if attribute else ""
        f.note = given or text or ""
        if said or f.note:
            _happened(f, when, said or f.note)

    return record


def _disconnected(f: Facts, when: float, get: Get) -> None:
    _note("the job's execute node is disconnected; HTCondor is trying to reconnect",
          said="disconnected")(f, when, get)  # fmt: skip
    f.disconnected_at = when


def _reconnected(f: Facts, when: float, get: Get) -> None:
    _note(None, said="reconnected")(f, when, get)
    f.disconnected_at = None


def _reconnect_failed(f: Facts, when: float, get: Get) -> None:
    _note("reconnecting to the execute node failed", "Reason")(f, when, get)
    f.disconnected_at = None


# Each event type, what else it tells about the job.
RECORD: dict[str, Callable[[Facts, float, Get], None]] = {
    "SUBMIT": _submitted,
    "EXECUTE": _executing,
    "IMAGE_SIZE": _image_size,
    "JOB_EVICTED": _evicted,
    "JOB_HELD": _held,
    "JOB_TERMINATED": _terminated,
    "JOB_ABORTED": _aborted,
    "JOB_DISCONNECTED": _disconnected,
    "JOB_RECONNECTED": _reconnected,
    "JOB_RECONNECT_FAILED": _reconnect_failed,
    "JOB_SUSPENDED": _note(None, said="suspended"),
    "JOB_UNSUSPENDED": _note(None, said="running again"),
    "SHADOW_EXCEPTION": _note("shadow exception", "Message"),
}


def fold(f: Facts, kind: str, when: float, event: Any) -> None:
    """Apply one event (any object with ``.get(name, default)``) to the facts."""
    record = RECORD.get(kind)
    if record is not None:
        record(f, when, lambda name: event.get(name, None))
    status = STATUS_AFTER.get(kind)
    if status is not None and f.status != status:
        f.status = status
        f.status_since = when


def merge_live(f: Facts, ad: dict[str, Any]) -> None:
    """Fold in a schedd query's live values (usage while running, hold reason)."""
    if ad.get("RemoteHost"):
        f.slot = str(ad["RemoteHost"])
        f.host = _host(f.slot, "")
    user, system = ad.get("RemoteUserCpu"), ad.get("RemoteSysCpu")
    if isinstance(user, (int, float)):
        f.cpu_s = float(user) + (float(system) if isinstance(system, (int, float)) else 0.0)
    rss_kb = ad.get("ResidentSetSize")
    if isinstance(rss_kb, (int, float)):
        _memory(f, rss_kb / 1024)
    _requests(f, ad.get)
    lease = ad.get("JobLeaseDuration")
    if isinstance(lease, (int, float)):
        f.lease_s = float(lease)
    held = JOB_STATUS.get(ad.get("JobStatus", 0)) == "held"
    if held and ad.get("HoldReason") and not f.hold_reason:
        f.hold_reason = logs.clean_line(str(ad["HoldReason"]), 1000)
        f.hold_code = ad.get("HoldReasonCode")
        f.hold_subcode = ad.get("HoldReasonSubCode")


def _memory(f: Facts, mb: Any) -> None:
    if isinstance(mb, (int, float)):
        f.memory_mb = round(float(mb), 1)
        f.memory_peak_mb = max(f.memory_mb, f.memory_peak_mb or 0.0)


def _host(slot: str, sinful: str) -> str:
    """``slot1@node.cern.ch`` -> ``node.cern.ch``; else the alias or IP of a sinful string."""
    if "@" in slot:
        return slot.split("@", 1)[1]
    alias = re.search(r"alias=([^&>]+)", sinful)
    if alias:
        return alias.group(1)
    address = re.match(r"<([^:>?]+)", sinful)
    return address.group(1) if address else ""


def _usage_seconds(text: str) -> float | None:
    """'Usr 0 00:01:02, Sys 0 00:00:03' -> 65.0"""
    match = _USAGE.search(text)
    if not match:
        return None
    d1, h1, m1, s1, d2, h2, m2, s2 = (int(x) for x in match.groups())
    return float((d1 + d2) * 86400 + (h1 + h2) * 3600 + (m1 + m2) * 60 + s1 + s2)
