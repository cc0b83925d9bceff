"""Ganga's objects as the rest of the package reads them: proxies, the registry's index,
configuration, the monitor. They expect Ganga running (see ``startup``)."""

from __future__ import annotations

import functools
from typing import Any

from ..vocabulary.status import Status


def index_entry(job: Any) -> dict | None:
    """What Ganga's index says of a job it has not loaded (status, name, subjob statuses,
    ...), so that thousands of jobs can be listed without reading each; None if loaded."""
    if is_loaded(job):
        return None
    entry = job._index_cache_dict
    return entry if isinstance(entry, dict) else None


def is_loaded(job: Any) -> bool:
    """Whether Ganga has read this (master) job whole. Ganga's has_loaded() (also behind
    job._index_cache and lazyLoadJobStatus) scans the whole registry: listing 5,000 jobs took
    6 s. Its repository keeps an id -> loaded-object dict, which answers in O(1)."""
    from GangaCore.Core.GangaRepository import getRegistry

    registry = getRegistry("jobs")
    loaded = getattr(registry.repository, "_fully_loaded", None)
    if isinstance(loaded, dict):
        return loaded.get(job.id) is job
    return registry.has_loaded(job)


@functools.cache  # asked once per row; Ganga's plugins do not change once it runs
def backend_name_of_class(class_name: str) -> str:
    """Ganga's index stores a backend's class name ("Localhost"): the name users know."""
    from GangaCore.Utility.Plugin import allPlugins

    for name, cls in allPlugins.allClasses("backends").items():
        if cls.__name__ == class_name:
            return name
    return class_name


def implementation(obj: Any) -> Any:
    """The implementation object behind a Ganga proxy (faster, and sees hidden fields)."""
    from GangaCore.GPIDev.Base.Proxy import stripProxy

    return stripProxy(obj)


def public(obj: Any) -> Any:
    """The user-facing proxy of a Ganga implementation object."""
    from GangaCore.GPIDev.Base.Proxy import addProxy

    return addProxy(obj)


def subjob_statuses(job: Any) -> list[Status]:
    """Statuses of all subjobs, from Ganga's index where subjobs are not loaded yet."""
    subjobs = job.subjobs
    if hasattr(subjobs, "getAllSJStatus"):  # lazily loaded subjobs (a job read from disk)
        return list(subjobs.getAllSJStatus())
    return [sj.status for sj in subjobs]


def job_class() -> Any:
    from GangaCore.GPIDev.Lib.Job.Job import Job

    return Job


def config(section: str, option: str) -> Any:
    """The effective value of one Ganga configuration option."""
    from GangaCore.Utility.Config import getConfig

    return getConfig(section)[option]


def active_jobs(backend: str) -> list[Any]:
    """Top-level jobs Ganga's monitor currently polls on ``backend`` (it rescans each second)."""
    import GangaCore.Core

    service = getattr(GangaCore.Core, "monitoring_component", None)
    return list(getattr(service, "active_backends", {}).get(backend, ()))


def update_from_backend(jobs: list[Any]) -> None:
    """Have Ganga's own monitoring look at these (sub)jobs of one backend now, on its own
    thread pool, instead of at its next poll. Thread-safe."""
    import GangaCore.Core

    service = getattr(GangaCore.Core, "monitoring_component", None)
    if not jobs or service is None or not service.enabled:
        return
    task = type(jobs[0].backend).updateMonitoringInformation
    service.loop.call_soon_threadsafe(service.run_monitoring_task, task, list(jobs))


def ganga_errors() -> tuple[type[BaseException], ...]:
    """Exception types Ganga raises for refused operations (kill, resubmit, ...)."""
    from GangaCore.Core.exceptions import GangaException

    return (GangaException,)
