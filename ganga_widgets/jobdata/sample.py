"""A sample of numbers, one value per subjob, kept sorted as values change: quantiles,
the largest few, a histogram with round bin widths.

Quantiles interpolate linearly between ranks, as numpy's default and
``statistics.quantiles(method="inclusive")`` do.
"""

from __future__ import annotations

import bisect
import math
from typing import Any

MAX_BINS = 24  # bars of a histogram


class Sample:
    """Values by subjob, kept sorted: quantiles, bins and the largest in O(log n)."""

    def __init__(self) -> None:
        self._by_index: dict[int, float] = {}
        self._sorted: list[tuple[float, int]] = []

    def __len__(self) -> int:
        return len(self._sorted)

    def set(self, index: int, value: float | None) -> None:
        old = self._by_index.pop(index, None)
        if old is not None:
            del self._sorted[bisect.bisect_left(self._sorted, (old, index))]
        if value is not None and math.isfinite(value):
            self._by_index[index] = value
            bisect.insort(self._sorted, (value, index))

    def quantile(self, q: float) -> float | None:
        n = len(self._sorted)
        if not n:
            return None
        position = q * (n - 1)
        low = math.floor(position)
        high = min(low + 1, n - 1)
        a, b = self._sorted[low][0], self._sorted[high][0]
        return a + (b - a) * (position - low)

    def largest(self, k: int) -> list[tuple[int, float]]:
        """The ``k`` largest values, largest first, as (subjob, value)."""
        return [(index, value) for value, index in reversed(self._sorted[-k:])]

    def histogram(self, max_bins: int = MAX_BINS) -> dict[str, Any] | None:
        """Counts in bins of one "nice" width (1, 2 or 5 times a power of ten), never finer
        than the data: whole numbers (HTCondor's times are whole seconds) get whole bins,
        not bins of which every other one is empty."""
        if not self._sorted:
            return None
        low, high = self._sorted[0][0], self._sorted[-1][0]
        width = nice_width((high - low) / max_bins) if high > low else nice_width(abs(low) or 1)
        whole = all(value == int(value) for value, _ in self._sorted)
        if whole:
            width = max(width, 1)
        start = math.floor(low / width) * width
        edges = [start]
        while edges[-1] <= high:
            edges.append(start + len(edges) * width)
        # (edge, -1) sorts before every (edge, subjob): the first value at or above the edge
        positions = [bisect.bisect_left(self._sorted, (edge, -1)) for edge in edges[1:-1]]
        ends = [*positions, len(self._sorted)]
        counts = [b - a for a, b in zip([0, *positions], ends, strict=True)]
        return {"start": start, "width": width, "counts": counts, "whole": whole}

    def describe(self, max_bins: int = MAX_BINS) -> dict[str, Any] | None:
        if not self._sorted:
            return None
        return {
            "count": len(self._sorted),
            "min": self._sorted[0][0],
            "median": self.quantile(0.5),
            "p95": self.quantile(0.95),
            "max": self._sorted[-1][0],
            "histogram": self.histogram(max_bins),
        }


def nice_width(raw: float) -> float:
    """The smallest of 1, 2, 5 x 10^k that is at least ``raw`` (> 0)."""
    power = 10 ** math.floor(math.log10(raw))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= raw * (1 - 1e-9))
