"""One watcher for every active Condor job: event logs in, live updates out.

Ganga asks the schedd about Condor jobs every 30 s. This thread reads each active job's
event log four times a second, so a start, hold, eviction or end reaches the widgets within
a second of HTCondor writing it. It does not write Ganga's job status behind its back: it
asks Ganga's own Condor monitoring to look at exactly the jobs that changed (and keeps asking
until Ganga agrees that a finished job is finished). Every few seconds it also asks the
schedd, in one query, for live memory and CPU of the running jobs, which tells too whether
the schedd can be reached at all.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from ..dispatcher import dispatcher
from ..ganga_adapter import objects
from ..ganga_adapter.kills import mark_removed_job_killed
from ..jobdata.status import ACTIVE
from . import schedd
from .eventlog import FILE_NAME, EventLog, Facts, merge_live
from .tail import Key, StderrTails

log = logging.getLogger("ganga_widgets")

EVENT_INTERVAL = 0.25  # seconds between two reads of the active event logs
QUERY_INTERVAL = 5.0  # seconds between two live queries to the schedd
CATCH_UP_FOR = 120.0  # seconds to keep asking Ganga to see a finished job as finished
# Events after which Ganga's own view of the job is out of date.
_GANGA_RELEVANT = {
    "EXECUTE",
    "JOB_TERMINATED",
    "JOB_ABORTED",
    "JOB_HELD",
    "JOB_RELEASED",
    "JOB_EVICTED",
}
_SETTLED = {"completed", "removed"}


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
        self._catch_up: dict[Key, float] = {}  # finished by HTCondor, not yet by Ganga
        self.health = Health()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._next_query = 0.0
        self._tails = StderrTails(self._running)

    # -- for widgets ----------------------------------------------------------------------

    def follow(self, job: Any) -> None:
        master = job.master if job.master is not None else job
        with self._lock:
            _, count = self._followed.get(master.id, (master, 0))
            self._followed[master.id] = (master, count + 1)
        self.start()
        self._next_query = 0.0  # a new job: ask the schedd about it at once
        self._wake.set()

    def unfollow(self, job: Any) -> None:
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

    def live_stderr(self, master_id: int, index: int | None) -> tuple[bytes, str] | None:
        """The last fetched stderr of a running job, and ask for it to be kept fresh.
        Never waits: the first call returns None and the view is updated when it arrives."""
        return self._tails.get((master_id, index))

    def read_now(self, job: Any) -> None:
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
        for job in objects.active_jobs("Condor"):
            jobs.setdefault(job.id, job)
        return list(jobs.values())

    def _read_logs(self, masters: list[Any]) -> None:
        with self._lock:
            for master in masters:
                self._read_logs_of(master)

    def _read_logs_of(self, master: Any) -> None:
        indices: list[int | None] = list(range(len(master.subjobs))) or [None]
        changed: dict[int | None, list[str]] = {}
        for index in indices:
            key = (master.id, index)
            entry = self._logs.get(key)
            if entry is None:
                entry = self._logs[key] = EventLog(objects.output_file(master, index, FILE_NAME))
            if entry.facts.status in _SETTLED and key not in self._catch_up:
                continue  # re-checked by _query, in case it is resubmitted
            kinds = entry.read()
            if kinds:
                changed[index] = kinds
        if changed:
            self._publish(master, changed)
        self._ask_ganga_to_catch_up(master)

    def _publish(self, master: Any, changed: dict[int | None, list[str]]) -> None:
        """Tell the widgets, and Ganga, about jobs whose event logs said something new."""
        stale = []
        for index, kinds in changed.items():
            job = master if index is None else master.subjobs[index]
            facts = self._logs[(master.id, index)].facts
            if "JOB_ABORTED" in kinds:
                mark_removed_job_killed(job)
            if facts.status in _SETTLED and job.status in ACTIVE:
                self._catch_up.setdefault((master.id, index), time.monotonic())
            if _GANGA_RELEVANT.intersection(kinds) and job.status in ACTIVE:
                stale.append(job)
            dispatcher().notify(master.id, index, job)
        if stale:
            objects.update_from_backend(stale)

    def _ask_ganga_to_catch_up(self, master: Any) -> None:
        """A finished job stays 'running' in Ganga until its query sees it out of the queue:
        ask again each pass, for a bounded time."""
        late = []
        now = time.monotonic()
        for key, since in list(self._catch_up.items()):
            if key[0] != master.id:
                continue
            job = master if key[1] is None else master.subjobs[key[1]]
            if job.status not in ACTIVE or now - since > CATCH_UP_FOR:
                del self._catch_up[key]
            elif now - since > 0.5:
                late.append(job)
        if late:
            objects.update_from_backend(late)

    def _query(self, masters: list[Any]) -> None:
        """Live usage of the running jobs, and whether the schedd answers at all."""
        by_id = {m.id: m for m in masters}
        with self._lock:
            for key in [k for k in self._logs if k[0] not in by_id]:
                del self._logs[key]  # neither shown nor active any more: bounded memory
            for key, entry in self._logs.items():
                if entry.facts.status in _SETTLED:
                    kinds = entry.read()  # anything new means a new file: resubmitted
                    if kinds:
                        self._publish(by_id[key[0]], {key[1]: kinds})
        active = {k: e for k, e in self._logs.items() if e.facts.status not in _SETTLED}
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

    def _set_health(self, ok: bool, error: str, masters: list[Any]) -> None:
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
