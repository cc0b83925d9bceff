"""How far each submission under way is, and why the last one of a job failed: what a
job's view shows while Ganga splits and submits it ("splitting 340 of 1,000", then
"submitting 340 of 1,000"), instead of a frozen job."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..dispatcher import dispatcher

# master id -> [phase, done, total] while it is being submitted, by any thread
_progress: dict[int, list[Any]] = {}


def progress(master_id: int) -> dict[str, Any] | None:
    """How far the submission of job ``master_id`` is, or None when none is under way:
    ``phase`` ("splitting": subjobs made; "submitting": subjobs submitted), ``done`` and
    ``total`` (None while unknown), and ``text`` to show."""
    found = _progress.get(master_id)
    if found is None:
        return None
    phase, done, total = found
    of = f" of {total:,}" if total is not None else ""
    if phase == "splitting":
        text = f"splitting: {done:,}{of} subjobs made"
    else:
        text = f"submitting {done:,}{of}"
    return {"phase": phase, "done": done, "total": total, "text": text}


# master id -> why its last submission failed (the job may be gone: its view says why)
_failed: dict[int, str] = {}
FAILURES_KEPT = 100


def failure(master_id: int) -> str | None:
    """Why the last submission of job ``master_id`` in this process failed, if it did."""
    return _failed.get(master_id)


def advance(master: Any, phase: str, total: int | None = None) -> None:
    """One more subjob of ``master`` made (``phase`` "splitting") or "submitting"."""
    entry = _progress.get(master.id)
    if entry is None:
        return
    if entry[0] != phase:
        entry[:] = [phase, 0, total]
    entry[1] += 1
    dispatcher().notify(master.id, None, None)


def _expected_subjobs(splitter: Any) -> int | None:
    """How many subjobs a splitter will make, where its settings say so."""
    for name in ("args", "values"):  # ArgSplitter, GenericSplitter
        value: Any = getattr(splitter, name, None)
        if isinstance(value, list | tuple) or type(value).__name__ == "GangaList":
            return len(value)
    return None


@contextmanager
def tracking(job: Any) -> Iterator[None]:
    """Around one submission of ``job``: its progress while it lasts, its failure if so."""
    _progress[job.id] = ["splitting", 0, _expected_subjobs(job.splitter)]
    _failed.pop(job.id, None)
    try:
        yield
    except BaseException as error:
        text, kind = str(error), type(error).__name__
        _failed[job.id] = text if text.startswith(kind) else f"{kind}: {text}"
        while len(_failed) > FAILURES_KEPT:
            del _failed[next(iter(_failed))]
        raise
    finally:
        _progress.pop(job.id, None)
        dispatcher().notify(job.id, None, None)
