"""Every subjob's status as one character, with counts by status kept change by change."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from ..vocabulary.status import STATUS_CODES, Status, code_of

# Above this many subjobs the grid is cut (the counts stay exact): bounds message size.
MAX_CELLS = 50_000


class SubjobCodes:
    """The status code of every subjob plus counts by status, updated per changed subjob.

    A flush after a few changes costs O(changes), not O(subjobs): counts are adjusted, never
    recounted from thousands of Ganga objects.
    """

    def __init__(self, statuses: Iterable[Status] = ()) -> None:
        self.codes = [code_of(s) for s in statuses]
        self._counts = Counter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def set(self, index: int, status: Status) -> bool:
        """Record one subjob's status; returns whether anything changed."""
        if not 0 <= index < len(self.codes):
            return False
        new = code_of(status)
        old = self.codes[index]
        if new == old:
            return False
        self.codes[index] = new
        self._counts[old] -= 1
        self._counts[new] += 1
        return True

    def text(self) -> str:
        return "".join(self.codes[:MAX_CELLS])

    def counts(self) -> dict[str, int]:
        """Subjobs per status, nonzero only, in the order of STATUS_CODES."""
        return {
            status: self._counts[code]
            for status, code in STATUS_CODES.items()
            if self._counts[code] > 0
        }

    def first(self, *statuses: Status) -> int | None:
        """Index of the first subjob in any of ``statuses`` (tried in that order)."""
        for status in statuses:
            code = code_of(status)
            if self._counts[code] > 0:
                return self.codes.index(code)
        return None

    def indices(self, status_set: Iterable[Status], limit: int) -> list[int]:
        wanted = {code_of(s) for s in status_set}
        found = []
        for i, c in enumerate(self.codes):
            if c in wanted:
                found.append(i)
                if len(found) == limit:
                    break
        return found
