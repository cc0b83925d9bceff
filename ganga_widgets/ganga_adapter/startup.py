"""Ganga started inside the running Python process or Jupyter kernel.

Non-interactively (it never prompts), with job monitoring on and short poll periods, keeping
whatever the user configured in ``~/.gangarc`` and reusing a Ganga that is already running
in this process. The status hook and the guards are installed here, once.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..kernel import in_kernel
from . import (
    ganga_log,
    guards,
    hook,
    one_command,
    refused_writes,
    registry_writes,
    sharing,
    submission,
)

log = logging.getLogger("ganga_widgets")

# Poll periods (seconds) used unless the user's configuration says otherwise. Ganga's own
# default for Local (10 s) makes a live view lag far behind the job. Condor keeps Ganga's
# 30 s, kind to shared schedds: its jobs' event logs tell us within a second (condor/watcher.py).
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
    # Another Ganga session owned the gangadir: this one follows its jobs read-only (every
    # view says so at its top) until it takes over (see ganga_adapter.sharing).
    read_only: bool = False


_lock = threading.Lock()
_session: Session | None = None


def is_running() -> bool:
    """Whether Ganga has been started in this process (by us or by the user)."""
    core = sys.modules.get("GangaCore.Core")
    return getattr(core, "monitoring_component", None) is not None


def start(
    gangadir: str | None = None,
    poll: Mapping[str, float] | None = None,
    console: bool | None = None,
) -> Session:
    """Start Ganga in this process, or adopt the one already running (the arguments: see
    ``ganga_widgets.start``). Once; later calls check and return the same session."""
    global _session
    with _lock:
        if _session is None:
            shown = console if console is not None else not in_kernel()
            if is_running():
                _session = _adopt(gangadir, poll, shown)
            else:
                _session = _bootstrap(gangadir, poll, shown)
        else:
            _check_same_gangadir(gangadir, _session.gangadir)
            if poll:
                _set_poll(poll, level="user")
        if console is not None:
            ganga_log.show_on_console(console)
        return _session


def current() -> Session | None:
    return _session


def _bootstrap(gangadir: str | None, poll: Mapping[str, float] | None, shown: bool) -> Session:
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

    with ganga_log.held_while_starting(shown):
        import ganga.ganga  # noqa: F401  the full bootstrap: registries, monitoring thread

    return _make_live(started_here=True, shown=shown)


def _adopt(gangadir: str | None, poll: Mapping[str, float] | None, shown: bool) -> Session:
    from GangaCore.Utility.Config import getConfig

    _check_same_gangadir(gangadir, _gangadir(getConfig))
    defined = getConfig("PollThread").getEffectiveOptions()
    _set_poll({k: v for k, v in DEFAULT_POLL.items() if k in defined}, level="session")
    if poll:
        _set_poll(poll, level="user")
    return _make_live(started_here=False, shown=shown)


def install_guards() -> None:
    """Our status hook and every guard on Ganga, once (each install is idempotent). Also
    what the gate of Ganga's own tests installs (scripts/ganga_own_tests.py)."""
    from GangaCore.GPIDev.Lib.Job.Job import Job

    guards.install()
    refused_writes.install()
    hook.install_hook(Job)
    submission.install(Job)
    registry_writes.install(Job)
    one_command.install(Job)


def _make_live(started_here: bool, shown: bool) -> Session:
    """Install our status hook and Ganga guards; make sure the monitor runs."""
    import GangaCore.Core
    from GangaCore.GPIDev.Lib.Job.Job import Job
    from GangaCore.Utility.Config import getConfig

    install_guards()
    gangadir = _gangadir(getConfig)
    ganga_log.install(gangadir, Job)
    ganga_log.show_on_console(shown)  # in a kernel: the widgets say it

    monitor = GangaCore.Core.monitoring_component
    standing = sharing.begin()
    if standing.owner is not None:
        if not in_kernel():  # in a kernel every view says it, at its top
            log.warning("ganga_widgets: %s", sharing.notice(standing))
    elif not monitor.enabled:
        # Ganga starts it by itself only in its own CLI: a live view needs it
        log.info("ganga_widgets: enabling Ganga's job monitoring")
        monitor.enable()
    return Session(
        gangadir=gangadir,
        monitoring=bool(monitor.enabled),
        started_here=started_here,
        read_only=standing.owner is not None,
    )


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


def take_over() -> str:
    """This session takes over the gangadir from the one that owned it, once that one has
    ended (see ``sharing.take_over``); RuntimeError if it still runs."""
    global _session
    done = sharing.take_over()
    with _lock:
        if _session is not None:
            _session = replace(_session, monitoring=True, read_only=False)
    return done
