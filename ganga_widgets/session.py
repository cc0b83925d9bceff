"""Ganga inside the running Python process or Jupyter kernel.

The one place that imports Ganga. ``import ganga_widgets`` does not start Ganga; the first
widget, or an explicit :func:`start`, does: non-interactively (it never prompts), with job
monitoring on and short poll periods, keeping whatever the user configured in ``~/.gangarc``
and reusing a Ganga that is already running in this process.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import os
import sys
import threading
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("ganga_widgets")

# Poll periods (seconds) used unless the user's configuration says otherwise. Ganga's own
# default for Local (10 s) makes a live view lag far behind the job. Condor keeps Ganga's
# 30 s, kind to shared schedds: its jobs' event logs tell us within a second (condor_watch).
DEFAULT_POLL: dict[str, float] = {
    "Local": 1,
    "Slurm": 5,
    "LSF": 5,
    "PBS": 5,
    "SGE": 5,
}
# How often the monitor looks for newly active jobs; Ganga reads it once, at start-up.
BASE_POLL_RATE = 1


@dataclass(frozen=True)
class Session:
    """What :func:`start` found or set up."""

    gangadir: str
    monitoring: bool
    started_here: bool  # False: Ganga was already running in this process
    problem: str | None = None  # why jobs will not update live, if they will not


_lock = threading.Lock()
_session: Session | None = None


def is_running() -> bool:
    """Whether Ganga has been started in this process (by us or by the user)."""
    core = sys.modules.get("GangaCore.Core")
    return getattr(core, "monitoring_component", None) is not None


def start(
    gangadir: str | None = None,
    poll: Mapping[str, float] | None = None,
) -> Session:
    """Start Ganga in this process, or adopt the one already running, and make it live.

    ``gangadir``: where Ganga keeps its jobs (default: the user's configuration, else
    ``~/gangadir``). ``poll``: poll period in seconds per backend name, e.g.
    ``{"Local": 2}``; explicit values win over the configuration files.
    Calling it again is cheap and returns the same session; asking for a different
    ``gangadir`` once Ganga runs is an error, as Ganga cannot switch in a running process.
    """
    global _session
    with _lock:
        if _session is None:
            _session = _adopt(gangadir, poll) if is_running() else _bootstrap(gangadir, poll)
        else:
            _check_same_gangadir(gangadir, _session.gangadir)
            if poll:
                _set_poll(poll, level="user")
        return _session


def current() -> Session | None:
    return _session


def _bootstrap(gangadir: str | None, poll: Mapping[str, float] | None) -> Session:
    import ganga  # puts GangaCore on sys.path; does not bootstrap
    from GangaCore.Utility.Config import getConfig

    del ganga
    # Session-level values are the lowest layer above Ganga's defaults: the user's
    # ~/.gangarc (or $GANGA_CONFIG_FILE) still overrides them.
    # Monitoring is enabled after the bootstrap (see _make_live): setting autostart here
    # would make Ganga warn that a batch session has monitoring on.
    getConfig("PollThread").setSessionValue("base_poll_rate", BASE_POLL_RATE)
    _set_poll(DEFAULT_POLL, level="session")
    if gangadir is not None:
        getConfig("Configuration").setUserValue("gangadir", os.path.abspath(gangadir))
    if poll:
        _set_poll(poll, level="user")

    import ganga.ganga  # noqa: F401  the full bootstrap: registries, monitoring thread

    return _make_live(started_here=True)


def _adopt(gangadir: str | None, poll: Mapping[str, float] | None) -> Session:
    from GangaCore.Utility.Config import getConfig

    _check_same_gangadir(gangadir, _gangadir(getConfig))
    defined = getConfig("PollThread").getEffectiveOptions()
    _set_poll({k: v for k, v in DEFAULT_POLL.items() if k in defined}, level="session")
    if poll:
        _set_poll(poll, level="user")
    return _make_live(started_here=False)


def _make_live(started_here: bool) -> Session:
    """Install our status hook and Ganga guards; make sure the monitor runs."""
    import GangaCore.Core
    from GangaCore.GPIDev.Lib.Job.Job import Job
    from GangaCore.Utility.Config import getConfig

    from . import condor, events, ganga_fixes

    ganga_fixes.install()
    events.install_hook(Job)
    if any(importlib.util.find_spec(name) for name in condor.MODULES):  # found, not imported
        from . import condor_watch

        condor_watch.watcher().start()  # follows Ganga's active Condor jobs
    if _in_kernel():
        ganga_fixes.quiet_background_info()

    problem = None
    monitor = GangaCore.Core.monitoring_component
    others = _other_sessions()
    if others:
        problem = (
            "another Ganga session uses this gangadir ("
            + "; ".join(others)
            + "), so monitoring is off here and jobs will not update live. Close that "
            "session and restart this kernel, or start here with "
            "ganga_widgets.start(gangadir=...) pointing at another directory."
        )
        warnings.warn(problem, RuntimeWarning, stacklevel=3)
    elif not monitor.enabled:
        # Ganga starts it by itself only in its own CLI: a live view needs it
        log.info("ganga_widgets: enabling Ganga's job monitoring")
        monitor.enable()
    return Session(
        gangadir=_gangadir(getConfig),
        monitoring=bool(monitor.enabled),
        started_here=started_here,
        problem=problem,
    )


def _in_kernel() -> bool:
    shell = sys.modules.get("IPython") and sys.modules["IPython"].get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _gangadir(get_config: Any) -> str:
    from GangaCore.Utility.files import expandfilename

    return expandfilename(get_config("Configuration")["gangadir"], True)


def _check_same_gangadir(asked: str | None, actual: str) -> None:
    if asked is not None and os.path.realpath(asked) != os.path.realpath(actual):
        raise RuntimeError(
            f"Ganga is already running in this process with gangadir {actual!r}; it cannot "
            f"switch to {asked!r}. Restart the kernel and call "
            f"ganga_widgets.start(gangadir={asked!r}) before anything else uses Ganga."
        )


def _set_poll(poll: Mapping[str, float], level: str) -> None:
    """Set per-backend poll periods; Ganga ignores unknown backend keys, so define them."""
    from GangaCore.Utility.Config import getConfig

    config = getConfig("PollThread")
    for backend, seconds in poll.items():
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds <= 0:
            raise ValueError(
                f"poll period for {backend!r} must be a positive number of seconds, got {seconds!r}"
            )
        if backend not in config.getEffectiveOptions():
            if is_running():  # Ganga accepts new options only before it starts
                raise ValueError(
                    f"Ganga is already running and has no poll period setting for backend "
                    f"{backend!r}; set it in ~/.gangarc ([PollThread] {backend} = ...) or "
                    f"pass poll= to the first ganga_widgets.start() of the kernel"
                )
            config.addOption(backend, seconds, f"poll period of the {backend} backend (s)")
        if level == "user":
            config.setUserValue(backend, seconds)
        else:
            config.setSessionValue(backend, seconds)


def _other_sessions() -> list[str]:
    try:
        from GangaCore.Core.GangaRepository import getRegistry

        return list(getRegistry("jobs").repository.get_other_sessions())
    except Exception:  # an unusual repository type: nothing to report
        return []


# -- access to Ganga objects for the rest of the package ------------------------------------


def gpi() -> Any:
    """Ganga's public interface module (``Job``, ``jobs``, ``Local``, ...), started."""
    start()
    from GangaCore.GPIDev.Base.Proxy import getProxyInterface

    return getProxyInterface()


def backend_names() -> list[str]:
    """Names of the backends this Ganga knows (Local, Condor, Slurm, ...)."""
    from GangaCore.Utility.Plugin import allPlugins

    start()
    return sorted(cls._name for cls in allPlugins.allClasses("backends").values())


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


def index_entry(job: Any) -> dict | None:
    """What Ganga's index says of a job it has not loaded (status, name, subjob statuses,
    ...), so that thousands of jobs can be listed without reading each; None if loaded."""
    if is_loaded(job):
        return None
    entry = job._index_cache_dict
    return entry if isinstance(entry, dict) else None


def unreadable_ids() -> set[int]:
    """Jobs Ganga failed to read. Asking Ganga to read one again is a "severe error" to it:
    it shuts its monitoring down. Nothing here may touch these jobs."""
    from GangaCore.Core.GangaRepository import getRegistry

    start()
    return set(getattr(getRegistry("jobs").repository, "incomplete_objects", None) or ())


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


def job_class() -> type:
    from GangaCore.GPIDev.Lib.Job.Job import Job

    return Job


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


def ganga_errors() -> tuple[type, ...]:
    """Exception types Ganga raises for refused operations (kill, resubmit, ...)."""
    from GangaCore.Core.exceptions import GangaException

    return (GangaException,)
