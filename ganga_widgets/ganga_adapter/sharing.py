"""A gangadir held by another Ganga session: this one follows it read-only, then may take over.

Ganga lets one session own a gangadir. A second one (another notebook, a terminal) gets its
monitoring turned off and may not change the owner's jobs, and Ganga never shows it the
owner's later saves. Here such a session is a read-only follower instead:
- its views follow the owner's jobs from what reaches disk (``follow_owner``), say once at
  the top who owns the gangadir, and offer no action (``refusal`` says why);
- when the owner's session ends, it can take over (``take_over``): Ganga's monitoring runs
  here from then on;
- an owner followed by another session saves job changes every ``SAVE_WHILE_FOLLOWED``
  second instead of Ganga's 30 s, so the follower sees them soon.
Sessions are known by Ganga's session files (``<gangadir>/repository/<user>/LocalXML/6.0/
sessions/<host>.<time>.PID.<pid>.session``): a session that ends removes its own, and
Ganga removes one left by a session that died once it has not been renewed for 45 s.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Any

from ..dispatcher import dispatcher
from . import follow_owner, refused_writes
from .ganga_log import GUARDS

log = logging.getLogger("ganga_widgets")

LOOK_EVERY = 1.0  # seconds between two passes of the thread (the follower's pace)
SESSIONS_EVERY = 2.0  # seconds between two looks at the sessions on the gangadir
SAVE_WHILE_FOLLOWED = 1.0


@dataclass(frozen=True)
class OtherSession:
    host: str
    pid: str
    started: str  # as Ganga names it: "17.48_Monday_07_December_2026"

    @classmethod
    def from_file(cls, name: str) -> OtherSession:
        parts = name.split(".")
        # <host, itself dotted>.<HH.MM_Day_DD_Month_YYYY>.PID.<pid>.session
        if len(parts) >= 6 and parts[-1] == "session" and parts[-3] == "PID":
            return cls(".".join(parts[:-5]), parts[-2], ".".join(parts[-5:-3]))
        return cls(name, "?", "")

    def describe(self) -> str:
        when = ""
        hour, _, day = self.started.partition("_")
        if day:
            when = f" (started {hour.replace('.', ':')}, {day.replace('_', ' ')})"
        return f"the Ganga session of process {self.pid} on {self.host}{when}"


@dataclass(frozen=True)
class Sharing:
    """This session's standing on its gangadir, as the views show it."""

    owner: OtherSession | None  # who owned it when this session started read-only
    ended: bool  # that owner has ended: this session can take over

    def to_dict(self) -> dict[str, Any]:
        if self.owner is None:
            return {}
        return {
            "owner": self.owner.describe(),
            "ended": self.ended,
            "text": notice(self),
            "reason": reason(self),  # on every action the view disables
        }


_lock = threading.Lock()
_owner: OtherSession | None = None  # set while this session is read-only
_others: list[OtherSession] = []  # the other sessions at the last look
_thread: threading.Thread | None = None


def other_sessions() -> list[OtherSession]:
    """The other Ganga sessions on this gangadir now (a directory listing)."""
    from GangaCore.Core.GangaRepository import getRegistry

    lock = getattr(getRegistry("jobs").repository, "sessionlock", None)
    folder, own = getattr(lock, "sdir", None), getattr(lock, "gfn", None)
    if not folder:  # Ganga's FIXED locking: one session at a time, no files to read
        return []
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    own_name = os.path.basename(own or "")
    found = [n for n in sorted(names) if n.endswith(".session") and n != own_name]
    return [OtherSession.from_file(n) for n in found]


def begin() -> Sharing:
    """Look once at who else holds the gangadir (at start-up): with another session there,
    this one is read-only. Starts the thread that keeps looking."""
    global _owner, _others
    others = other_sessions()
    with _lock:
        _others = others
        _owner = others[0] if others else None
    _no_writes_of_others_jobs()
    _start_thread()
    return current()


def _no_writes_of_others_jobs() -> None:
    """Defect: Ganga writes any job its session holds marked as changed, locked by it or
    not (its flusher every 30 s, and at exit): a second session's copy of the owner's job,
    marked changed by some read, would overwrite the owner's newer file. Guard: while this
    session is read-only, a job it holds no lock on is never written (idempotent)."""
    from GangaCore.Core.GangaRepository.Registry import Registry
    from GangaCore.GPIDev.Lib.GangaList.GangaList import GangaList

    if getattr(Registry._flush, "_ganga_widgets_read_only", False):
        return
    original = Registry._flush

    def _flush(self: Any, objs: Any) -> Any:
        if read_only():
            many = objs if isinstance(objs, list | tuple | GangaList) else [objs]
            objs = [o for o in many if getattr(o._getRoot(), "_registry_locked", False)]
            if not objs:
                return None
        return original(self, objs)

    _flush._ganga_widgets_read_only = True  # type: ignore[attr-defined]
    Registry._flush = _flush


def current() -> Sharing:
    with _lock:
        owner = _owner
        ended = owner is not None and owner not in _others
    return Sharing(owner, ended)


def read_only() -> bool:
    with _lock:
        return _owner is not None


def refusal() -> str | None:
    """Why this session may not act on jobs, or None if it may."""
    return reason(current()) or None


def reason(sharing: Sharing) -> str:
    """Why no action is offered while this session is read-only ("" if it is not)."""
    if sharing.owner is None:
        return ""
    if sharing.ended:
        return "Read-only here: take over first (its owner has ended)"
    return f"Read-only here: {sharing.owner.describe()} owns this gangadir; act from there"


def notice(sharing: Sharing) -> str:
    """What every view says at its top while this session is read-only."""
    if sharing.owner is None:
        return ""
    if sharing.ended:
        return (
            f"Read-only: {sharing.owner.describe()} owned this gangadir and has ended. Take "
            "over to monitor and act on its jobs here."
        )
    return (
        f"Read-only: {sharing.owner.describe()} owns this gangadir. Its jobs are followed "
        "here from their files; act on them from that session. When it ends, this kernel "
        "can take over."
    )


def take_over() -> str:
    """Make this session the gangadir's owner once the one that held it has ended: its jobs
    read again from disk, Ganga's monitoring on. RuntimeError if another session still
    holds it. Returns what was done."""
    global _owner
    others = other_sessions()
    with _lock:
        owner = _owner
    if owner is None:
        return "this kernel already owns the gangadir"
    if others:
        raise RuntimeError(
            f"{others[0].describe()} still holds this gangadir: end it first (close its "
            "notebook or shut down its kernel), then take over"
        )
    follow_owner.follower().catch_up()
    import GangaCore.Core

    monitor = GangaCore.Core.monitoring_component
    if not monitor.enabled:
        monitor.enable()
    with _lock:
        _owner = None
    from GangaCore.Core.GangaRepository import getRegistry

    for job_id, job in dict(getRegistry("jobs").repository.objects).items():
        dispatcher().notify(job_id, None, job)  # every view: its actions back, no notice
    GUARDS.warning("took over the gangadir from %s", owner.describe())
    return f"took over from {owner.describe()}: Ganga's monitoring runs in this kernel"


def _start_thread() -> None:
    global _thread
    with _lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_run, name="ganga_widgets-sharing", daemon=True)
            _thread.start()


def _run() -> None:
    next_look = next_save = 0.0
    while True:
        time.sleep(LOOK_EVERY)
        try:
            now = time.monotonic()
            if now >= next_look:
                next_look = now + SESSIONS_EVERY
                _look_at_sessions()
            if read_only():
                follow_owner.follower().step()
            elif now >= next_save and _others:
                next_save = now + SAVE_WHILE_FOLLOWED
                _save_for_followers()
        except Exception:  # never die: the views would silently stop following
            log.exception("ganga_widgets: following the gangadir's other sessions failed")


def _look_at_sessions() -> None:
    global _others
    others = other_sessions()
    with _lock:
        _others = others


def _save_for_followers() -> None:
    """Another session follows this gangadir: save what changed now, not in up to 30 s."""
    from GangaCore.Core.GangaRepository import getRegistry

    refused_writes.flush_guarded(getRegistry("jobs"))
