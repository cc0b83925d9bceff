"""What the views say while the gangadir refuses Ganga's writes. Pure: the record of refusals
alone (the faults themselves are produced for real in test_job_widget.py)."""

from __future__ import annotations

import errno
from collections.abc import Iterator

import pytest

from ganga_widgets.ganga_adapter import refused_writes

pytestmark = pytest.mark.pure


@pytest.fixture
def record() -> Iterator[None]:
    saved = dict(refused_writes._refused)
    refused_writes._refused.clear()
    yield
    refused_writes._refused.clear()
    refused_writes._refused.update(saved)


def test_a_registry_with_nothing_to_write_does_not_clear_another_ones_refusal(
    record: None,
) -> None:
    """Each registry has its flusher, every second: the others' empty flushes cleared the
    jobs registry's refusal as soon as it was noted, and a view that looked between them
    showed no notice while job states went unsaved."""
    full = OSError(errno.ENOSPC, "No space left on device")
    before = refused_writes.generation()
    refused_writes._note(full, "jobs")
    assert refused_writes.generation() != before
    for other in ("box", "prep", "templates", "tasks", "jobs.metadata"):
        refused_writes._clear(other)  # nothing of theirs was refused
    said = refused_writes.problem("/data/gangadir")
    assert said and "into the gangadir /data/gangadir (No space left on device)" in said

    noted = refused_writes.generation()
    refused_writes._note(OSError(errno.EROFS, "Read-only file system"), "prep")
    refused_writes._clear("jobs")  # the jobs written: prep's states are still kept
    assert "(Read-only file system)" in (refused_writes.problem("/g") or "")
    assert refused_writes.generation() != noted
    refused_writes._clear("prep")
    assert refused_writes.problem("/g") is None
