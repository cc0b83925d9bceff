"""Ganga's log records, kept out of the notebook's cells and kept for the user.

Ganga prints every record, from every thread, through one handler on the root logger that
writes to stdout: in a kernel they land in whichever cell runs (43 lines for a 12-subjob
submit). Here, in a kernel, that handler no longer prints Ganga's records (``start(console=
True)`` keeps them); each record is kept instead:
- by job, the last ``LINES_PER_JOB`` lines of each of the last ``JOBS_KEPT`` jobs, for the
  widget's "Ganga log" panel. A record belongs to the job being submitted on its thread, or
  else to the job its message names ("job 3 status changed ...", "submitting job 3.1 ...");
- all of them in ``<gangadir>/ganga_widgets/ganga.log`` (rotated, bounded).
Errors still reach the user: a failed submit raises with Ganga's message.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
import re
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Iterator
from typing import Any

from ..dispatcher import dispatcher

LINES_PER_JOB = 200
JOBS_KEPT = 1000
LINE_CHARS = 400
FILE_NAME = "ganga.log"
FILE_BYTES = 1_000_000
FILE_BACKUPS = 2

_NAMED_JOB = re.compile(r"\b[Jj]ob:? (\d+)(?:\.\d+)?\b")


# What the guards do to Ganga's jobs, said where Ganga's own records go (the job's panel,
# the file), not in the cell.
GUARDS = logging.getLogger("ganga_widgets.guards")


def is_ganga(record: logging.LogRecord) -> bool:
    """Ganga names all its loggers "GangaCore.<module>" (or "Ganga<package>..."); the
    guards' records count as Ganga's."""
    return record.name.startswith("Ganga") or record.name == GUARDS.name


class _NotGanga(logging.Filter):
    """On the console handler: Ganga's records go elsewhere (see module docstring)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not is_ganga(record)


class JobLines(logging.Handler):
    """Ganga's records by job: bounded per job and in the number of jobs."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self._guard = threading.Lock()  # emit (any thread) vs. lines (a view)
        self._lines: OrderedDict[int, deque[str]] = OrderedDict()
        self._submitting = threading.local()  # job id being submitted on this thread

    def emit(self, record: logging.LogRecord) -> None:
        if not is_ganga(record):
            return
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not fit its format
            message = str(record.msg)
        job_id = getattr(self._submitting, "job_id", None)
        if job_id is None:
            named = _NAMED_JOB.search(message)
            job_id = int(named.group(1)) if named else None
        if job_id is None:
            return
        stamp = time.strftime("%H:%M:%S", time.localtime(record.created))
        line = f"{stamp} {record.levelname} {message}"[:LINE_CHARS]
        with self._guard:
            lines = self._lines.get(job_id)
            if lines is None:
                lines = self._lines[job_id] = deque(maxlen=LINES_PER_JOB)
                while len(self._lines) > JOBS_KEPT:
                    self._lines.popitem(last=False)
            lines.append(line)
        dispatcher().notify(job_id, None, None)

    def lines(self, job_id: int) -> list[str]:
        with self._guard:
            return list(self._lines.get(job_id, ()))

    @contextlib.contextmanager
    def submitting(self, job_id: int) -> Iterator[None]:
        """Records of this thread belong to ``job_id`` meanwhile (its submission)."""
        previous = getattr(self._submitting, "job_id", None)
        self._submitting.job_id = job_id
        try:
            yield
        finally:
            self._submitting.job_id = previous


job_lines = JobLines()


class _Held(logging.Handler):
    """Ganga's records while it starts, before the file they go to is known."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.records: deque[logging.LogRecord] = deque(maxlen=1000)
        self.addFilter(is_ganga)

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


_held = _Held()


@contextlib.contextmanager
def held_while_starting(shown: bool) -> Iterator[None]:
    """Around Ganga's start-up: its records (e.g. "Multiple Ganga sessions detected") are
    printed only if ``shown``, and kept for the job panels and the file (``install``)."""
    import GangaCore.Utility.logging  # noqa: F401  creates the handler Ganga prints with

    root = logging.getLogger()
    root.addHandler(_held)
    show_on_console(shown)
    try:
        yield
    finally:
        root.removeHandler(_held)


def install(gangadir: str, job_class: type) -> None:
    """Keep Ganga's records by job and in a file (once), those of its start-up first."""
    root = logging.getLogger()
    if job_lines in root.handlers:
        return
    kept = _file_handler(gangadir)
    for record in _held.records:
        job_lines.handle(record)
        kept.handle(record)
    _held.records.clear()
    root.addHandler(job_lines)
    root.addHandler(kept)
    for name in ("submit", "resubmit"):  # what they log belongs to that job
        original = getattr(job_class, name)

        def logged(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            master = self.master if self.master is not None else self
            with job_lines.submitting(master.id):
                return _original(self, *args, **kwargs)

        setattr(job_class, name, logged)


def show_on_console(shown: bool) -> None:
    """Whether Ganga's records are printed (by Ganga's own console handler) as well."""
    for handler in logging.getLogger().handlers:
        if handler is job_lines or isinstance(handler, logging.FileHandler):
            continue
        quiet = [f for f in handler.filters if isinstance(f, _NotGanga)]
        if shown:
            for f in quiet:
                handler.removeFilter(f)
        elif not quiet:
            handler.addFilter(_NotGanga())


class _FileLog(logging.handlers.RotatingFileHandler):
    """The file of all Ganga's records. A record the disk refuses (full, read-only) is
    dropped quietly: it is still in its job's panel, and logging's own report of the
    failure, a traceback per record, would land in the cell."""

    def handleError(self, record: logging.LogRecord) -> None:
        pass


def _file_handler(gangadir: str) -> logging.Handler:
    folder = os.path.join(gangadir, "ganga_widgets")
    os.makedirs(folder, exist_ok=True)
    handler = _FileLog(
        path(gangadir), maxBytes=FILE_BYTES, backupCount=FILE_BACKUPS, encoding="utf-8", delay=True
    )
    handler.setLevel(logging.INFO)
    handler.addFilter(is_ganga)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(threadName)s %(name)s %(levelname)s %(message)s")
    )
    return handler


def path(gangadir: str) -> str:
    """Where all of Ganga's records go."""
    return os.path.join(gangadir, "ganga_widgets", FILE_NAME)
