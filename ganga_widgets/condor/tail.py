"""Live stderr of running Condor jobs, fetched by ``condor_tail`` on a thread of its own.

``condor_tail`` asks the execute node and takes a second or two, so it never runs where
updates must not wait: a view asks for a job's stderr, gets what was fetched last (None the
first time), and is told through the dispatcher when something new arrives. A wish lasts
``WANTED_FOR`` seconds unless the view asks again; then the fetched text is dropped.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from ..dispatcher import dispatcher
from . import schedd

log = logging.getLogger("ganga_widgets")

EVERY = 2.0  # seconds between two condor_tail of the same job
WANTED_FOR = 10.0  # seconds a view's wish for a live stderr lasts unless renewed

Key = tuple[int, int | None]  # (master id, subjob index or None)
# key -> ("cluster.proc" if the job runs now, else "", its Ganga job or None)
Locate = Callable[[Key], tuple[str, Any]]


class StderrTails:
    def __init__(self, locate: Locate) -> None:
        self._locate = locate
        self._lock = threading.Lock()
        self._fetched: dict[Key, tuple[float, bytes, str]] = {}  # key -> (when, data, error)
        self._wanted: dict[Key, float] = {}  # key -> until when a view wants it
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def get(self, key: Key) -> tuple[bytes, str] | None:
        """(data, error) last fetched for this job, and keep it fresh for a while."""
        with self._lock:
            self._wanted[key] = time.monotonic() + WANTED_FOR
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="ganga_widgets-condor-tail", daemon=True
                )
                self._thread.start()
            fetched = self._fetched.get(key)
        if fetched is None:
            self._wake.set()
            return None
        return fetched[1], fetched[2]

    def _run(self) -> None:
        while True:
            self._wake.wait(0.5)
            self._wake.clear()
            try:
                self._fetch()
            except Exception:  # never die: live stderr would stop without a word
                log.exception("ganga_widgets: fetching live stderr failed")

    def _fetch(self) -> None:
        now = time.monotonic()
        with self._lock:
            for key in [k for k, until in self._wanted.items() if until < now]:
                del self._wanted[key]
                self._fetched.pop(key, None)
            wanted = [(key, self._fetched.get(key)) for key in self._wanted]
        for key, fetched in wanted:
            if fetched is not None and now - fetched[0] < EVERY:
                continue
            condor_id, job = self._locate(key)
            if not condor_id:
                continue
            data, error = schedd.tail_stderr(condor_id)
            with self._lock:
                self._fetched[key] = (time.monotonic(), data, error)
            if job is not None and (fetched is None or fetched[1:] != (data, error)):
                dispatcher().notify(key[0], key[1], job)
