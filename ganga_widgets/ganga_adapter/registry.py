"""The jobs registry and Ganga's public interface, with Ganga started first."""

from __future__ import annotations

from typing import Any

from . import sharing
from .objects import public
from .startup import start


def gpi() -> Any:
    """Ganga's public interface module (``Job``, ``jobs``, ``Local``, ...), started."""
    start()
    from GangaCore.GPIDev.Base.Proxy import getProxyInterface

    return getProxyInterface()


def backend_names() -> list[str]:
    """Names of the backends this Ganga knows (Local, Condor, Slurm, ...), each once."""
    from GangaCore.Utility.Plugin import allPlugins

    start()
    # A class can be registered under two names: the default batch system's (LSF) is also
    # "Batch". Its own name is the one Ganga's interface knows it by.
    return sorted({cls._name for cls in allPlugins.allClasses("backends").values()})


def new_backend(spec: Any) -> Any:
    """A backend (public object) from a name ("Condor") or a configured backend object
    (copied, so the caller's object is left as it was). ValueError/TypeError otherwise."""
    from GangaCore.GPIDev.Adapters.IBackend import IBackend
    from GangaCore.GPIDev.Base.Proxy import isType, stripProxy

    if isinstance(spec, str):
        names = backend_names()
        match = next((n for n in names if n.lower() == spec.lower()), None)
        if match is None:
            raise ValueError(f"unknown backend {spec!r}; this Ganga knows: {', '.join(names)}")
        return getattr(gpi(), match)()
    if isType(stripProxy(spec), IBackend):
        return public(stripProxy(spec).clone())
    raise TypeError(
        f"backend must be a backend name (e.g. 'Condor') or a Ganga backend object "
        f"(e.g. Condor(...)); got {type(spec).__name__}"
    )


def registry_jobs() -> dict[int, Any]:
    """Every job of the ``jobs`` registry by id, loaded or not (nothing is loaded here)."""
    from GangaCore.Core.GangaRepository import getRegistry

    start()
    return dict(getRegistry("jobs")._objects)  # a copy: Ganga's threads add to it


def unreadable_ids() -> set[int]:
    """Jobs Ganga failed to read. Asking Ganga to read one again is a "severe error" to it:
    it shuts its monitoring down. Nothing here may touch these jobs."""
    from GangaCore.Core.GangaRepository import getRegistry

    start()
    return set(getattr(getRegistry("jobs").repository, "incomplete_objects", None) or ())


def lookup_job(job_id: int) -> Any:
    """The job with this id in the ``jobs`` registry (implementation object), or KeyError."""
    from GangaCore.Core.GangaRepository import getRegistry
    from GangaCore.Core.GangaRepository.Registry import RegistryKeyError

    start()
    try:
        return getRegistry("jobs")[job_id]
    except (RegistryKeyError, KeyError, IndexError) as err:
        raise KeyError(job_id) from err


def job_ids() -> list[int]:
    from GangaCore.Core.GangaRepository import getRegistry

    start()
    return list(getRegistry("jobs").ids())


def held_elsewhere(job: Any) -> str | None:
    """Why this session may not change ``job``, or None if it may. Its lock is taken, as
    Ganga does before any change of a job (at once where this session holds it already);
    if another Ganga session on the gangadir holds it, nothing is touched and it says so."""
    from GangaCore.Core.GangaRepository.Registry import RegistryAccessError, RegistryLockError

    refused = sharing.refusal()
    if refused:  # read-only here: not even a lock is taken
        return refused
    master = job.master if job.master is not None else job
    try:
        master._getSessionLock()
    except RegistryLockError as err:
        return (
            f"job {master.id} belongs to another Ganga session on this gangadir ({err}): "
            "act from that session, or close it and restart this kernel"
        )
    except RegistryAccessError as err:
        return f"job {master.id} cannot be changed: Ganga's registry is closed here ({err})"
    return None
