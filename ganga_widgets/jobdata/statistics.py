"""Run statistics of a split job: runtimes, queue waits, throughput, memory, CPU efficiency
and hosts, kept up to date one subjob at a time.

A subjob's figures replace what it contributed before (``Statistics.update``): each change
costs O(log n) search plus a list insertion, never a pass over every subjob. The report
(``Statistics.report``) is bounded whatever the number of subjobs: a few dozen bins, the
slowest few subjobs, the busiest hosts, a timeline re-binned to at most ``TIMELINE_POINTS``.
Each figure is a ``sample.Sample``.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..condor.facts import Facts
from ..vocabulary.protocols import GangaJob
from ..vocabulary.status import FINAL
from . import read
from .sample import Sample

STATISTICS_EVERY = 2.0  # seconds between two reports of one view's statistics

SLOWEST_SHOWN = 5
HOSTS_SHOWN = 8
TIMELINE_POINTS = 60
# Right-sizing: the request suggested covers the 95th percentile of peaks with this margin,
# rounded up to a multiple of ROUND_MB; it is offered once this many subjobs have a peak.
MARGIN = 1.1
ROUND_MB = 50
MIN_PEAKS = 5
# A request this much above the suggestion is worth lowering (less waiting for big slots).
OVER_REQUEST = 1.5


# What a runtime measures, as the panel says it.
RUNTIME_CONDOR = (
    "from the start of execution to its end, in HTCondor's event log (whole seconds; "
    "HTCondor's RemoteWallClockTime also counts the transfer of the job's files)"
)
RUNTIME_GANGA = "from running to ended, as Ganga recorded them"


@dataclass(frozen=True)
class Figures:
    """What one subjob contributes; None where not known (yet)."""

    runtime_s: float | None = None  # started -> ended, once ended
    queue_s: float | None = None  # submitted -> started
    ended_at: float | None = None  # epoch seconds, once ended
    memory_peak_mb: float | None = None
    memory_request_mb: float | None = None
    cpu_efficiency: float | None = None  # CPU time / wall time (per requested core)
    host: str = ""


class Statistics:
    """The figures of every subjob of one job, and what they add up to."""

    def __init__(self, condor: bool = False) -> None:
        self.condor = condor  # whose times the runtimes are: HTCondor's event log, or Ganga's
        self._figures: dict[int, Figures] = {}
        self.runtime = Sample()
        self.queue = Sample()
        self.memory_peak = Sample()
        self.efficiency = Sample()
        self._requests: Counter[float] = Counter()
        self._hosts: Counter[str] = Counter()
        self._ends: Counter[int] = Counter()  # subjobs ended, by minute (epoch // 60)

    def update(self, index: int, figures: Figures | None) -> None:
        """Subjob ``index`` now has ``figures`` (None: it contributes nothing)."""
        old = self._figures.pop(index, None)
        if old is not None:
            _uncount(self._requests, old.memory_request_mb)
            _uncount(self._hosts, old.host or None)
            _uncount(self._ends, _minute(old.ended_at))
        new = figures or Figures()
        if figures is not None:
            self._figures[index] = figures
            _count(self._requests, figures.memory_request_mb)
            _count(self._hosts, figures.host or None)
            _count(self._ends, _minute(figures.ended_at))
        self.runtime.set(index, new.runtime_s)
        self.queue.set(index, new.queue_s)
        self.memory_peak.set(index, new.memory_peak_mb)
        self.efficiency.set(index, new.cpu_efficiency)

    def report(self) -> dict[str, Any]:
        """Everything the panel shows, bounded in size."""
        hosts = self._hosts.most_common()
        return {
            "subjobs": len(self._figures),
            "runtime": self.runtime.describe(),
            "runtime_measures": RUNTIME_CONDOR if self.condor else RUNTIME_GANGA,
            "slowest": [
                {"subjob": i, "runtime_s": v} for i, v in self.runtime.largest(SLOWEST_SHOWN)
            ],
            "queue": self.queue.describe(),
            "throughput": timeline(self._ends),
            "memory": self._memory(),
            "cpu_efficiency": self.efficiency.describe(),
            "hosts": {
                "count": len(hosts),
                "top": [{"host": h, "subjobs": n} for h, n in hosts[:HOSTS_SHOWN]],
                "others": sum(n for _, n in hosts[HOSTS_SHOWN:]),
            },
        }

    def _memory(self) -> dict[str, Any] | None:
        peaks = self.memory_peak.describe()
        if peaks is None:
            return None
        request = self._requests.most_common(1)[0][0] if self._requests else None
        return {**peaks, "request_mb": request, "advice": right_size(self.memory_peak, request)}


def figures(job: GangaJob, facts: Facts | None) -> Figures | None:
    """What subjob ``job`` contributes: from HTCondor's event log where there is one (no
    read of Ganga's objects), else from the times Ganga recorded."""
    if facts is not None and facts.status:
        ended = facts.ended if facts.status in ("completed", "removed") else None
        started = facts.started
        wall = facts.wall_s if ended is not None else None
        cpus = facts.cpus_request or 1
        return Figures(
            runtime_s=_between(started, ended),
            queue_s=_between(facts.submitted, started),
            ended_at=ended,
            # a peak is final once the job ended, or when it was held (maybe for it)
            memory_peak_mb=facts.memory_peak_mb if ended or facts.status == "held" else None,
            memory_request_mb=facts.memory_request_mb,
            cpu_efficiency=(
                facts.cpu_s / wall / cpus if facts.cpu_s is not None and wall else None
            ),
            host=facts.host,
        )
    if job.status not in FINAL and job.status != "running":
        return None
    # Ganga's stamps of the last attempt (each one stamped over the one before): a subjob
    # left alone when others were resubmitted keeps its figures
    started = read.last_start(job)
    finished = read.stamp(job, "final") if job.status in FINAL else None
    return Figures(
        runtime_s=_between(started, finished),
        queue_s=_between(read.stamp(job, "submitted"), started),
        ended_at=finished,
        host=str(getattr(job.backend, "actualCE", "") or ""),
    )


def _between(start: float | None, end: float | None) -> float | None:
    return end - start if start is not None and end is not None and end >= start else None


def right_size(peaks: Sample, request_mb: float | None) -> dict[str, Any] | None:
    """A memory request that fits 95% of the peaks seen, when it differs enough from the
    request made: "Requested 2,000 MB; 95% of subjobs peaked under 610 MB -> ~700 MB"."""
    p95 = peaks.quantile(0.95)
    if p95 is None or len(peaks) < MIN_PEAKS:
        return None
    suggested = max(ROUND_MB, math.ceil(p95 * MARGIN / ROUND_MB) * ROUND_MB)
    if request_mb is not None and suggested <= request_mb <= suggested * OVER_REQUEST:
        return None  # the request fits: nothing to say
    over = request_mb is not None and request_mb > suggested
    text = (
        f"{'Requested ' + format(round(request_mb), ',') + ' MB; ' if request_mb else ''}"
        f"95% of subjobs peaked under {math.ceil(p95):,} MB"
        f" → request ~{suggested:,} MB"
    )
    return {"p95_mb": p95, "suggested_mb": suggested, "lower": over, "text": text}


def timeline(ends: Counter[int], points: int = TIMELINE_POINTS) -> dict[str, Any] | None:
    """Subjobs ended per minute from the first end to the last, in at most ``points``
    buckets of a whole number of minutes each."""
    if not ends:
        return None
    first, last = min(ends), max(ends)
    minutes = math.ceil((last - first + 1) / points)
    counts = [0] * ((last - first) // minutes + 1)
    for minute, n in ends.items():
        counts[(minute - first) // minutes] += n
    return {"start": first * 60, "minutes_per_point": minutes, "counts": counts}


def _minute(epoch: float | None) -> int | None:
    return None if epoch is None else int(epoch // 60)


def _count(counter: Counter[Any], key: Any) -> None:
    if key is not None:
        counter[key] += 1


def _uncount(counter: Counter[Any], key: Any) -> None:
    if key is not None:
        counter[key] -= 1
        if counter[key] <= 0:
            del counter[key]


class Feed:
    """One view's run statistics: updated change by change, and sent at most every
    ``STATISTICS_EVERY`` seconds (the panel's figures need not follow every subjob's end),
    at once when the job has ended."""

    def __init__(self, condor: bool = False) -> None:
        self.statistics = Statistics(condor=condor)
        self._changed = True
        self._sent = 0.0

    def update(self, index: int, figures: Figures | None) -> None:
        self.statistics.update(index, figures)
        self._changed = True

    def due(self, final: bool) -> bool:
        """Whether a report should go now."""
        return self._changed and (final or time.monotonic() - self._sent >= STATISTICS_EVERY)

    def report(self) -> dict[str, Any]:
        self._changed = False
        self._sent = time.monotonic()
        return self.statistics.report()
