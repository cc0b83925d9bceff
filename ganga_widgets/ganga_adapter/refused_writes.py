"""Writes the gangadir refuses (its filesystem full or read-only, a quota reached), survived.

Defects of Ganga 8.7.12 when the gangadir refuses a write while jobs are monitored:
- its registry's flusher thread dies on the first refused write, with a traceback printed
  under whatever cell runs, and nothing is saved for the rest of the session;
- the ``RepositoryError`` it raises shuts Ganga's monitoring and registries down, so no job
  updates again until the kernel restarts, although nothing on disk is damaged: Ganga writes
  a new file beside the old one and renames it only when it is complete.

Guard: a refused write leaves the job unsaved (still marked changed) and Ganga running; the
flusher keeps trying at its period, and the views say which directory refused and what to
do. The first write that succeeds again clears the notice; nothing was lost meanwhile.
"""

from __future__ import annotations

import errno
import sys
import threading
import time
from typing import Any

from .ganga_log import GUARDS

# A directory that refuses writes: full, over quota, read-only; or not ours to write.
FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})
UNWRITABLE = FULL | {errno.EACCES, errno.EPERM}

_lock = threading.Lock()
# registry name -> since when its writes are refused, and the first refusal. Per registry:
# each has its own flusher, and one with nothing to write says nothing of another's writes
# (counted as one, the jobs registry's refusal was cleared by the others' empty flushes
# each second, and a view that looked between them missed it).
_refused: dict[str, tuple[float, OSError]] = {}
_generation = 0  # changes each time writes start or stop being refused


def generation() -> int:
    """A number that changes whenever :func:`problem` does (views renew their notice)."""
    return _generation


def refused_by_disk(err: BaseException | None) -> OSError | None:
    """The disk's refusal behind ``err`` (itself or its cause), if that is what it is."""
    while err is not None:
        if isinstance(err, OSError) and err.errno in FULL:
            return err
        err = err.__cause__ or err.__context__
    return None


def problem(gangadir: str) -> str | None:
    """What the views say while Ganga's writes are refused, else None."""
    with _lock:
        refused = min(_refused.values(), key=lambda r: r[0], default=None)
    if refused is None:
        return None
    since, err = refused
    return (
        f"Ganga cannot save job states into the gangadir {gangadir} "
        f"({err.strerror or err}) since {time.strftime('%H:%M:%S', time.localtime(since))}: "
        "the states shown here are kept in this kernel and saved as soon as it can write "
        "again. Free space there (or make it writable); do not restart the kernel before."
    )


def install() -> None:
    """Keep Ganga running through refused writes (idempotent)."""
    from GangaCore.Core.exceptions import RepositoryError
    from GangaCore.Core.GangaRepository.Registry import Registry, RegistryFlusher

    if getattr(RepositoryError, "_ganga_widgets_fixed", False):
        return
    _no_shutdown_for_a_refused_write(RepositoryError)
    _flusher_survives(Registry, RegistryFlusher)
    RepositoryError._ganga_widgets_fixed = True


def _no_shutdown_for_a_refused_write(error_class: Any) -> None:
    original = error_class.__init__
    base = error_class.__mro__[1]

    def __init__(self: Any, repo: Any = None, what: str = "") -> None:
        refused = refused_by_disk(sys.exc_info()[1])  # raised while handling the OSError
        if refused is None:
            original(self, repo, what)
            return
        base.__init__(self, self, what)  # what Ganga's does, without the shutdown
        self.what = what
        self.repository = repo
        _note(refused, str(getattr(getattr(repo, "registry", None), "name", "?")))

    error_class.__init__ = __init__


def flush_guarded(registry: Any) -> None:
    """Save a registry's changed jobs now, as Ganga's flusher does: a refused write is
    noted, not raised."""
    _background.saving = True
    try:
        registry.flush_all()
    finally:
        _background.saving = False


_background = threading.local()  # this thread saves as Ganga's flusher does


def _flusher_survives(registry_class: Any, flusher_class: Any) -> None:
    original = registry_class.flush_all

    def flush_all(self: Any) -> None:
        background = getattr(_background, "saving", False)
        if not background and not isinstance(threading.current_thread(), flusher_class):
            original(self)  # an explicit flush (the user's, Ganga's at exit) raises as ever
            return
        try:
            original(self)
        except Exception as err:  # the flusher's own loop catches nothing: it would die
            refused = refused_by_disk(err)
            if refused is None:
                GUARDS.error("saving registry %s failed: %s", self.name, err, exc_info=True)
            else:
                _note(refused, self.name)
            return
        _clear(self.name)

    registry_class.flush_all = flush_all


def _note(err: OSError, registry: str) -> None:
    global _generation
    with _lock:
        first = registry not in _refused
        if first:
            _refused[registry] = (time.time(), err)
            _generation += 1
    if first:
        GUARDS.error("the gangadir refuses writes of %s (%s): kept until it can", registry, err)


def _clear(registry: str) -> None:
    global _generation
    with _lock:
        cleared = _refused.pop(registry, None) is not None
        _generation += cleared
    if cleared:
        GUARDS.warning("the gangadir accepts writes of %s again: what was kept is saved", registry)
