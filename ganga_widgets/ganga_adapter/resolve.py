"""What a user may pass where a job is expected, turned into a Ganga job or a clear error."""

from __future__ import annotations

from typing import Any

from ..vocabulary.protocols import GangaJob, fqid
from . import objects, registry, startup

ACCEPTED = "a Ganga Job (e.g. jobs(7) or the j you submitted) or a job id (an int)"


def resolve(obj: Any) -> GangaJob:
    """The Ganga job (implementation object) that ``obj`` names.

    Raises TypeError for something that cannot name a job and ValueError for a job that
    does not exist (any more); both say what is accepted.
    """
    if isinstance(obj, bool) or (not isinstance(obj, int) and not _looks_like_job(obj)):
        raise TypeError(f"expected {ACCEPTED}; got {type(obj).__name__} {_short(obj)}")
    startup.start()
    if isinstance(obj, int):
        return _by_id(obj)
    job: GangaJob = objects.implementation(obj)
    if not isinstance(job, objects.job_class()) or type(job).__name__ == "JobTemplate":
        raise TypeError(f"expected {ACCEPTED}; got a {type(job).__name__}, not a job")
    if job.status == "removed":
        raise ValueError(f"job {fqid(job)} was removed from the registry; nothing to show")
    master = job.master if job.master is not None else job
    if master.id is None or master.id not in registry.job_ids():
        raise ValueError(f"job {fqid(job)} is not in the jobs registry (was it removed?)")
    return job


def _by_id(job_id: int) -> GangaJob:
    if job_id in registry.unreadable_ids():
        raise ValueError(
            f"Ganga cannot read job {job_id}: its repository entry is damaged (Ganga's log "
            "says why). Its files are left as they are; JobTable() lists it as unreadable."
        )
    try:
        return registry.lookup_job(job_id)
    except KeyError:
        ids = registry.job_ids()
        known = f"known ids: {_ranges(ids)}" if ids else "the registry is empty"
        current = startup.current()
        where = current.gangadir if current else "?"
        raise ValueError(
            f"no job with id {job_id} in the Ganga registry at {where} ({known})"
        ) from None


def _looks_like_job(obj: Any) -> bool:
    # Ganga proxies and implementation objects both carry a _schema; a cheap pre-check
    # before anything starts Ganga.
    return hasattr(obj, "_schema") or type(obj).__module__.startswith(("GangaCore", "ganga"))


def _short(obj: Any) -> str:
    text = repr(obj)
    return text if len(text) <= 60 else text[:57] + "..."


def _ranges(ids: list[int]) -> str:
    """[0, 1, 2, 5, 7, 8] -> '0-2, 5, 7-8' (at most a few groups)."""
    groups: list[list[int]] = []
    for i in sorted(ids):
        if groups and i == groups[-1][1] + 1:
            groups[-1][1] = i
        else:
            groups.append([i, i])
    text = ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in groups[:6])
    return text + (", ..." if len(groups) > 6 else "")
