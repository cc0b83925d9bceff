"""The dispatcher: "job X changed" in from any thread, one coalesced update per listener out.

Changes come from the status hook on Ganga's jobs (``ganga_adapter.hook``) and from the
HTCondor watcher. The dispatcher is one daemon thread. It flushes at most once per
``min_interval`` (100 ms): each listener subscribed to a changed job gets one call with every
subjob that changed since the last flush, however many changes there were. Listeners that
ask for it also get a periodic tick (to re-read a growing log, say) in the same call.
Listeners are held weakly and can unsubscribe; a listener that raises is logged and kept.

Why a thread rather than the kernel's event loop: while a cell runs (``run.wait()``, a long
computation) the kernel's loop is blocked, but the widgets should keep updating. Comm
messages go out through ipykernel's IOPub thread, which is safe to use from any thread.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

log = logging.getLogger("ganga_widgets")

MIN_INTERVAL = 0.1  # seconds between two flushes: at most ~10 updates/s per widget
TICK = 1.0  # seconds between ticks for listeners that follow a running job

# Master job id -> {subjob id (None for the master itself): implementation object}
Changes = dict


class Listener(Protocol):
    def on_changes(self, changes: Changes, tick: bool) -> None: ...

    def wants_tick(self) -> bool: ...


class AllJobsListener(Protocol):
    """Follows every job (a dashboard): gets {master id: changes} for all that changed."""

    def on_jobs_changed(self, changes: dict[int, Changes], tick: bool) -> None: ...

    def wants_tick(self) -> bool: ...


class Dispatcher:
    def __init__(self, min_interval: float = MIN_INTERVAL, tick: float = TICK) -> None:
        self.min_interval = min_interval
        self.tick = tick
        self._lock = threading.Lock()
        self._pending: dict[int, Changes] = {}
        self._listeners: dict[int, weakref.WeakSet] = {}
        self._all: weakref.WeakSet = weakref.WeakSet()  # listeners to every job
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    # -- called from Ganga's threads ---------------------------------------------------------

    def notify(self, master_id: int, subjob_id: int | None, job: Any) -> None:
        """Record that a job changed; cheap and non-blocking (runs inside Ganga's locks)."""
        with self._lock:
            if master_id not in self._listeners and not self._all:
                return
            self._pending.setdefault(master_id, {})[subjob_id] = job
        self._wake.set()

    # -- subscriptions --------------------------------------------------------------------

    def subscribe(self, master_id: int, listener: Listener) -> None:
        with self._lock:
            self._listeners.setdefault(master_id, weakref.WeakSet()).add(listener)
            self._ensure_thread()
        self._wake.set()  # a new listener may want ticks right away

    def unsubscribe(self, master_id: int, listener: Listener) -> None:
        with self._lock:
            group = self._listeners.get(master_id)
            if group is not None:
                group.discard(listener)
                if not group:
                    del self._listeners[master_id]
                    self._pending.pop(master_id, None)

    def subscribe_all(self, listener: AllJobsListener) -> None:
        with self._lock:
            self._all.add(listener)
            self._ensure_thread()
        self._wake.set()

    def unsubscribe_all(self, listener: AllJobsListener) -> None:
        with self._lock:
            self._all.discard(listener)

    def followed(self) -> set[int]:
        """The jobs (master ids) some listener follows."""
        with self._lock:
            return set(self._listeners)

    def listener_count(self) -> int:
        with self._lock:
            return sum(len(group) for group in self._listeners.values()) + len(self._all)

    # -- the flushing thread ----------------------------------------------------------------

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(
                target=self._run, name="ganga_widgets-dispatcher", daemon=True
            )
            self._thread.start()

    def _run(self) -> None:
        last_flush = 0.0
        next_tick = time.monotonic() + self.tick
        while True:
            self._wake.wait(timeout=max(0.0, next_tick - time.monotonic()))
            # Coalesce: let changes accumulate until min_interval has passed since the last
            # flush, so a burst of N subjob changes costs one update, not N.
            wait = last_flush + self.min_interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._wake.clear()
            now = time.monotonic()
            tick = now >= next_tick
            if tick:
                next_tick = now + self.tick
            try:
                self._flush(tick)
            except Exception:  # never let the thread die: updates would stop silently
                log.exception("ganga_widgets: dispatcher flush failed")
            last_flush = now

    def _flush(self, tick: bool) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
            calls: list[tuple[Callable[[Any, bool], None], Any]] = []
            for master_id, group in self._listeners.items():
                changes = pending.get(master_id)
                for listener in list(group):
                    if changes is not None:
                        calls.append((listener.on_changes, changes))
                    elif tick and listener.wants_tick():
                        calls.append((listener.on_changes, {}))
            for listener in list(self._all):
                if pending or (tick and listener.wants_tick()):
                    calls.append((listener.on_jobs_changed, pending))
        # Waiters last: a thread woken by this flush must find every view updated by it
        # (a dashboard printed right after JobWidget(j).wait() showed j still running).
        # getattr: a listener's method may be a plain function (benchmarks wrap it to time it).
        calls.sort(key=lambda call: isinstance(getattr(call[0], "__self__", None), _Waiter))
        for call, changes in calls:
            try:
                call(changes, tick)
            except Exception:
                log.exception("ganga_widgets: updating %r failed", call)


_dispatcher = Dispatcher()  # its thread starts with the first subscription


def dispatcher() -> Dispatcher:
    return _dispatcher


class _Waiter:
    """A listener that only wakes a waiting thread."""

    def __init__(self) -> None:
        self.event = threading.Event()

    def on_changes(self, changes: Changes, tick: bool) -> None:
        self.event.set()

    def wants_tick(self) -> bool:
        return False


def wait_for(
    master_id: int,
    done: Callable[[], bool],
    timeout: float | None,
    what: str,
    on_wake: Callable[[], None] | None = None,
) -> None:
    """Block until ``done()``, woken by every change of the job (and at least each second,
    so that an interrupt is seen); TimeoutError after ``timeout`` seconds. An interrupt
    lands in the waiting, never inside ``done()`` or ``on_wake()`` (see ``_Interrupts``)."""
    waiter = _Waiter()
    dispatcher().subscribe(master_id, waiter)
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        with _Interrupts() as interrupts:
            while True:
                with interrupts.held():
                    if done():
                        return
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise TimeoutError(f"still waiting for {what} after {timeout} s")
                waiter.event.wait(1.0 if left is None else min(1.0, left))
                waiter.event.clear()
                if on_wake is not None:
                    with interrupts.held():
                        on_wake()
    finally:
        dispatcher().unsubscribe(master_id, waiter)


class _Interrupts:
    """Ctrl-C (SIGINT: the notebook's stop button too) while a wait reads Ganga's objects is
    held until the read is over, then raised. Raised inside Ganga's code, between a lock's
    acquire and its release (``with lock:`` is not atomic against it in CPython), it could
    leave the job locked, and the monitoring and every widget's flush would block. Python
    runs signal handlers in the main thread only; elsewhere, and where SIGINT has no Python
    handler, nothing changes."""

    def __init__(self) -> None:
        self._previous: Any = None
        self._holding = False
        self._pending: tuple[int, Any] | None = None

    def __enter__(self) -> _Interrupts:
        if threading.current_thread() is threading.main_thread():
            previous = signal.getsignal(signal.SIGINT)
            if callable(previous):
                self._previous = previous
                signal.signal(signal.SIGINT, self._on_signal)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def _on_signal(self, signum: int, frame: Any) -> None:
        if self._holding:
            self._pending = (signum, frame)
        else:
            self._previous(signum, frame)  # Python's own: raises KeyboardInterrupt

    @contextmanager
    def held(self) -> Iterator[None]:
        self._holding = True
        try:
            yield
        finally:
            self._holding = False
        if self._pending is not None and self._previous is not None:
            signum, frame = self._pending
            self._pending = None
            self._previous(signum, frame)
