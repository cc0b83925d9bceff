"""A Condor job's event log (the ``condorLog`` Ganga asks for), followed as it grows.

HTCondor writes an event the moment a job starts, is held (with the reason), is evicted,
reports its memory, or ends: reading the log tells all that within a second, with no query
to the schedd. ``EventLog.read()`` consumes only the events written since the last call and
folds them into the job's ``Facts`` (``facts``).
"""

from __future__ import annotations

import os
import pickle
from typing import Any

from .bindings import bindings
from .facts import Facts, fold

# The event log Ganga's Condor backend asks for, in each (sub)job's output directory.
FILE_NAME = "condorLog"


class EventLog:
    """Follows one job's event log file; survives the file being replaced (resubmission)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.facts = Facts()
        # Where reading stopped, as the bindings pickle a log: no file stays open between
        # reads (one open log per subjob exhausts file descriptors: at 10,000 subjobs the
        # bindings fail, then exit the process).
        self._position: bytes | None = None
        self._open: Any = None  # bindings that cannot pickle a log: kept open
        self._identity: tuple[int, int] | None = None  # (inode, device) of the file read
        self.cluster: int | None = None  # the job's id in the schedd, from its events
        self.proc: int | None = None
        self._size = -1  # bytes of the file already seen: unchanged means nothing new

    def replaced(self) -> bool:
        """Whether the file read so far is gone or another one (Ganga removes a job's
        output, event log included, when it resubmits it)."""
        try:
            stat = os.stat(self.path)
        except OSError:
            return self._identity is not None
        return self._identity is not None and (stat.st_ino, stat.st_dev) != self._identity

    def read(self) -> list[str]:
        """Fold in the events written since the last call; returns their type names."""
        try:
            stat = os.stat(self.path)
        except OSError:
            return []
        identity = (stat.st_ino, stat.st_dev)
        if identity == self._identity and stat.st_size == self._size:
            return []
        self._size = stat.st_size
        if identity != self._identity:  # a new file: the job was resubmitted
            self._position = self._open = None
            self._identity = identity
            self.facts = Facts()
            self.cluster = self.proc = None
        log = self._open or (
            pickle.loads(self._position) if self._position else bindings().JobEventLog(self.path)
        )
        seen = []
        try:
            for event in log.events(stop_after=0):
                kind = event.type.name  # str() of version 2's IntEnum is its number
                self.cluster, self.proc = event.cluster, event.proc
                fold(self.facts, kind, event.timestamp, event)
                seen.append(kind)
        finally:
            try:
                self._position = pickle.dumps(log)
            except Exception:
                self._open = log
            else:
                log.close()
        return seen
