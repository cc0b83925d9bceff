"""One watcher for every active Condor job: event logs in, live updates out.

Ganga asks the schedd about Condor jobs every 30 s. This thread reads each active job's
event log four times a second, so a start, hold, eviction or end reaches the widgets within
a second of HTCondor writing it. Every few seconds it also asks the schedd, in one query, for
live memory and CPU of the running jobs, which tells too whether the schedd can be reached
at all. It knows nothing of Ganga: what Ganga should do about its news (and which jobs
Ganga has in HTCondor) is the ``GangaSide`` the session connects (``session.condor_news``).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

from ..dispatcher import dispatcher
from ..vocabulary.files import output_file
from ..vocabulary.protocols import GangaJob
from . import schedd
from .eventlog import FILE_NAME, EventLog
from .facts import Facts, merge_live
from .tail import Key, StderrTails

log = logging.getLogger("ganga_widgets")

EVENT_INTERVAL = 0.25  # seconds between two reads of the active event logs
QUERY_INTERVAL = 5.0  # seconds between two live queries to the schedd
SETTLED = frozenset({"completed", "removed"})  # HTCondor is done with the job


class GangaSide(Protocol):
    """What the watcher asks of whoever runs the jobs (Ganga), connected by the session."""

    def active_jobs(self) -> list[Any]:
        """The top-level jobs in HTCondor now, besides those a view follows."""
        ...

    def news(self, master: GangaJob, changed: dict[int | None, list[str]]) -> None:
        """Subjobs (None: the job) of ``master`` whose event logs said these events."""
        ...

    def each_pass(self, master: GangaJob) -> None:
        """Called for every job followed, after each read of its event logs."""
        ...


@dataclass
class Health:
    ok: bool = True
    error: str = ""
    since: float | None = None  # when the schedd stopped answering
    last_ok: float | None = None  # last successful query

    def problem(self) -> str:
        if self.ok:
            return ""
        since = time.strftime("%H:%M:%S", time.localtime(self.since or time.time()))
        heard = time.strftime("%H:%M:%S", time.localtime(self.last_ok)) if self.last_ok else "never"
        return (
            f"the HTCondor schedd cannot be reached since {since} (last heard from: {heard}); "
            f"showing the last known state, and reconnecting by itself. ({self.error})"
        )


class Watcher:
    def __init__(self) -> None:
        # Event logs are read by this thread and by views (a first picture): one lock for all.
        self._lock = threading.RLock()
        self._followed: dict[int, tuple[Any, int]] = {}  # master id -> (job, widgets)
        self._logs: dict[Key, EventLog] = {}
        self.ganga: GangaSide | None = None  # set by connect()
        self.health = Health()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._next_query = 0.0
        self._tails = StderrTails(self._running)

    def connect(self, ganga: GangaSide) -> None:
        """Tell ``ganga`` the news from now on, and follow its jobs too."""
        self.ganga = ganga

    # -- for widgets ----------------------------------------------------------------------

    def follow(self, job: GangaJob) -> None:
        master = job.master if job.master is not None else job
        with self._lock:
            _, count = self._followed.get(master.id, (master, 0))
            self._followed[master.id] = (master, count + 1)
        self.start()
        self._next_query = 0.0  # a new job: ask the schedd about it at once
        self._wake.set()

    def unfollow(self, job: GangaJob) -> None:
        master = job.master if job.master is not None else job
        with self._lock:
            _, count = self._followed.get(master.id, (master, 0))
            if count > 1:
                self._followed[master.id] = (master, count - 1)
            else:
                self._followed.pop(master.id, None)

    def facts(self, master_id: int, index: int | None) -> Facts | None:
        entry = self._logs.get((master_id, index))
        return entry.facts if entry is not None and entry.facts.submitted else None

    def forget_if_resubmitted(self, master_id: int, index: int | None) -> bool:
        """Drop what was read of a job's event log if that log was replaced or removed
        (resubmission); returns whether it was."""
        with self._lock:
            entry = self._logs.get((master_id, index))
            if entry is None or not entry.replaced():
                return False
            del self._logs[(master_id, index)]
            return True

    def problem(self) -> str:
        """Why HTCondor cannot be followed now ("" if it can)."""
        return self.health.problem()

    def live_stderr(self, master_id: int, index: int | None) -> tuple[bytes, str] | None:
        """The last fetched stderr of a running job, and ask for it to be kept fresh.
        Never waits: the first call returns None and the view is updated when it arrives."""
        return self._tails.get((master_id, index))

    def read_now(self, job: GangaJob) -> None:
        """Read the job's event logs now: a view's first picture is then complete."""
        master = job.master if job.master is not None else job
        self._read_logs([master])

    # -- the thread -----------------------------------------------------------------------

    def start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="ganga_widgets-condor", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            self._wake.wait(EVENT_INTERVAL)
            self._wake.clear()
            try:
                jobs = self._jobs()
                self._read_logs(jobs)
                if time.monotonic() >= self._next_query:
                    self._next_query = time.monotonic() + QUERY_INTERVAL
                    self._query(jobs)
            except Exception:  # never die: widgets would silently stop following HTCondor
                log.exception("ganga_widgets: reading HTCondor event logs failed")

    def _running(self, key: Key) -> tuple[str, Any]:
        """For the stderr tails: ("cluster.proc" if the job runs now, else "", its job)."""
        entry = self._logs.get(key)
        if entry is None or entry.facts.status != "running" or entry.cluster is None:
            return "", None
        return f"{entry.cluster}.{entry.proc}", self._job(key)

    def _job(self, key: Key) -> Any:
        with self._lock:
            master = self._followed.get(key[0], (None, 0))[0]
        if master is None:
            return None
        return master if key[1] is None else master.subjobs[key[1]]

    def _jobs(self) -> list[Any]:
        with self._lock:
            jobs = {master_id: job for master_id, (job, _) in self._followed.items()}
        for job in self.ganga.active_jobs() if self.ganga is not None else ():
            jobs.setdefault(job.id, job)
        return list(jobs.values())

    def _read_logs(self, masters: list[GangaJob]) -> None:
        with self._lock:
            for master in masters:
                self._read_logs_of(master)

    def _read_logs_of(self, master: GangaJob) -> None:
        indices: list[int | None] = list(range(len(master.subjobs))) or [None]
        changed: dict[int | None, list[str]] = {}
        for index in indices:
            key = (master.id, index)
            entry = self._logs.get(key)
            if entry is None:
                entry = self._logs[key] = EventLog(output_file(master, index, FILE_NAME))
            if entry.facts.status in SETTLED:
                continue  # re-checked by _query, in case it is resubmitted
            kinds = entry.read()
            if kinds:
                changed[index] = kinds
        if changed:
            self._publish(master, changed)
        if self.ganga is not None:
            self.ganga.each_pass(master)

    def _publish(self, master: GangaJob, changed: dict[int | None, list[str]]) -> None:
        """Tell Ganga, then the widgets, about jobs whose event logs said something new."""
        if self.ganga is not None:
            self.ganga.news(master, changed)
        for index in changed:
            dispatcher().notify(
                master.id, index, master if index is None else master.subjobs[index]
            )

    def _query(self, masters: list[GangaJob]) -> None:
        """Live usage of the running jobs, and whether the schedd answers at all."""
        by_id = {m.id: m for m in masters}
        with self._lock:
            for key in [k for k in self._logs if k[0] not in by_id]:
                del self._logs[key]  # neither shown nor active any more: bounded memory
            for key, entry in self._logs.items():
                if entry.facts.status in SETTLED:
                    kinds = entry.read()  # anything new means a new file: resubmitted
                    if kinds:
                        self._publish(by_id[key[0]], {key[1]: kinds})
        active = {k: e for k, e in self._logs.items() if e.facts.status not in SETTLED}
        if not active:  # nothing to ask about: a finished job's view needs no schedd
            return
        clusters = {e.cluster for e in active.values() if e.cluster is not None}
        try:
            ads = schedd.query(clusters) if clusters else {}
            if not clusters:
                schedd.query([0])  # no job to ask about: still learn whether it answers
        except Exception as err:  # HTCondorException, or the bindings missing
            self._set_health(False, f"{type(err).__name__}: {err}", masters)
            return
        self._set_health(True, "", masters)
        for key, entry in active.items():
            if entry.cluster is None or entry.proc is None:
                continue
            ad = ads.get((entry.cluster, entry.proc))
            if ad is None:
                continue
            before = entry.facts.to_dict()
            merge_live(entry.facts, ad)
            if entry.facts.to_dict() != before:
                master = next((m for m in masters if m.id == key[0]), None)
                if master is not None:
                    job = master if key[1] is None else master.subjobs[key[1]]
                    dispatcher().notify(key[0], key[1], job)

    def _set_health(self, ok: bool, error: str, masters: list[GangaJob]) -> None:
        now = time.time()
        was_ok = self.health.ok
        if ok:
            self.health = Health(ok=True, last_ok=now)
        elif was_ok:
            self.health = Health(ok=False, error=error, since=now, last_ok=self.health.last_ok)
        if ok != was_ok:  # every Condor view shows (or clears) the problem
            for master in masters:
                dispatcher().notify(master.id, None, master)


_watcher = Watcher()  # its threads start when first needed


def watcher() -> Watcher:
    return _watcher
