"""JobWidget: a live view of one Ganga job."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

import traitlets as t

from .. import actions, session
from ..actions import Outcome
from ..dispatcher import Changes, dispatcher, wait_for
from ..ganga_adapter import objects
from ..ganga_adapter.resolve import resolve
from ..jobdata.model import JobModel
from ..views import terminal
from ..vocabulary.protocols import GangaJob, fqid
from ..vocabulary.status import FINAL, STATUS_CODES
from .assets import esm
from .base import ViewWidget


class JobWidget(ViewWidget):
    """A live view of one Ganga job: status, subjob progress, times, stderr, actions.

    ``JobWidget(j)`` or ``JobWidget(7)``. It updates by itself while the job changes (the
    kernel may be idle or busy), at most about ten times a second.
    """

    _esm = esm("job/index.js")

    # Everything below is computed by ``jobdata`` from the job; the view only draws it.
    summary = t.Dict().tag(sync=True)
    counts = t.Dict().tag(sync=True)
    cells = t.Unicode("").tag(sync=True)  # one status code per subjob (``vocabulary``'s)
    selected = t.Int(-1).tag(sync=True)  # subjob shown in the detail panel; -1: automatic
    detail = t.Dict().tag(sync=True)
    failures: t.List[dict] = t.List().tag(sync=True)
    can = t.Dict().tag(sync=True)  # which actions make sense now
    notice = t.Unicode("").tag(sync=True)  # a problem the user should know about
    held: t.List[dict] = t.List().tag(sync=True)  # HTCondor: held subjobs grouped by hold reason
    analysis = t.Dict().tag(sync=True)  # HTCondor: the schedd's answer to "why idle?"
    ganga_log: t.List[str] = t.List().tag(sync=True)  # what Ganga logged about the job
    # Run statistics of a split job (jobdata/statistics.py): sent once the view's panel is
    # opened (or statistics() called), then kept up to date
    stats = t.Dict().tag(sync=True)

    why_idle_after = 60.0  # seconds a Condor job waits before the view offers "Why idle?"

    def __init__(self, job: GangaJob, **kwargs: Any) -> None:
        session.start()
        impl = resolve(job)  # raises a clear error before any widget exists
        super().__init__(**kwargs)
        self._model = JobModel(impl, self.why_idle_after)
        self._job = impl
        self._follow()

    def _subscribe(self) -> None:
        dispatcher().subscribe(self._model.master_id, self)
        if self._model.batch is not None:
            self._model.batch.follow(self._job)

    def _unsubscribe(self) -> None:
        dispatcher().unsubscribe(self._model.master_id, self)
        if self._model.batch is not None:
            self._model.batch.unfollow(self._job)

    @property
    def job(self) -> Any:
        """The Ganga job shown (its public object)."""
        return objects.public(self._model.job)

    # -- updates ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read everything from the job now (updates also happen by themselves)."""
        with self._lock:
            self._model.read_all()
            self._push(detail=True)

    def on_changes(self, changes: Changes, tick: bool) -> None:
        """Called by the dispatcher: ``changes`` maps subjob ids (None: the job) to jobs."""
        if self.comm is None:  # closed meanwhile
            return
        with self._lock:
            self._model.apply(changes)
            shown = self._model.detail_of
            self._push(detail=tick or shown in changes or (shown is None and None in changes))

    def wants_tick(self) -> bool:
        return self._model.active(self.detail.get("status"))

    def _push(self, detail: bool) -> None:
        """Compute the view's data from the job and send what changed, as one message."""
        self._model.why_idle_after = self.why_idle_after
        try:
            values = self._model.compute(self.selected, detail)
        except Exception as err:  # e.g. the job was removed while we read it
            values = {"notice": self._model.problem(err)}
        self._send_changed(values)

    # -- messages from the view -------------------------------------------------------------

    def _on_select(self, content: dict) -> None:
        subjob = content.get("subjob")
        if not isinstance(subjob, int) or isinstance(subjob, bool):
            return
        with self._lock:
            self.selected = subjob if 0 <= subjob < len(self._model.codes) else -1
            self._push(detail=True)

    def _on_statistics(self, content: dict) -> None:
        """The view opened its statistics panel: from now on they are computed and sent."""
        self.statistics()

    def _on_action(self, content: dict) -> None:
        self.run_action(str(content.get("name")), content.get("subjob"), content.get("seq"),
                        group=content.get("group"), memory=content.get("memory"))  # fmt: skip

    def run_action(
        self,
        name: str,
        subjob: int | None = None,
        seq: Any = None,
        group: Any = None,
        memory: Any = None,
    ) -> dict:
        """Run a view action and show its outcome. Whole job: "kill", "resubmit",
        "release_held". One subjob (``subjob``; None for a job without subjobs):
        "kill_subjob", "hold", "release", "why_idle". Held subjobs of one cause (``group``:
        a group of ``held``, or its ``key``; "memory": every subjob held for memory):
        "release_group", and "resubmit_more_memory" asking for ``memory`` MB."""
        job = self._job
        on_job: dict[str, Callable[[], Outcome]] = {
            "kill": lambda: actions.kill(job),
            "resubmit": lambda: actions.resubmit_failed(job),
            "release_held": lambda: actions.release_held(
                job, self._model.codes.indices({"held"}, limit=100_000)
            ),
            "release_group": lambda: actions.release_held(job, self._model.held_in(group)),
            "resubmit_more_memory": lambda: actions.resubmit_with_memory(
                job, self._model.held_in(group), memory
            ),
        }
        on_one: dict[str, Callable[[Any], Outcome]] = {
            "kill_subjob": actions.kill,
            "hold": actions.hold,
            "release": actions.release,
            "why_idle": self._why_idle,
        }
        target = job if subjob is None else _subjob(job, subjob)
        if name in on_job:
            outcome = on_job[name]()
        elif name not in on_one:
            outcome = Outcome("refused", f"unknown action {name!r}")
        elif target is None:
            outcome = Outcome("refused", f"job {self._model.master_id} has no subjob {subjob}")
        else:
            outcome = on_one[name](target)
        result = self._record(seq, name, outcome, subjob=subjob)
        self.refresh()  # show the effect now rather than at the next dispatcher flush
        return result

    def _why_idle(self, target: Any) -> Outcome:
        outcome, text = actions.why_idle(target)
        with self._lock:
            self.analysis = {"fqid": fqid(target), "text": text, "at": time.time()}
        return outcome

    def wait(self, status: str | Iterable[str] | None = None, timeout: float | None = None) -> str:
        """Block until the view shows the job ``status`` (a status or several; default: any
        end). The widget keeps updating meanwhile; an interrupt stops the waiting, not the
        job. Returns the status shown; TimeoutError after ``timeout`` seconds."""
        wanted: set[str]
        if status is None:
            wanted = set(FINAL)
        else:
            wanted = {status} if isinstance(status, str) else set(status)
        unknown = sorted(wanted - set(STATUS_CODES))
        if unknown:
            raise ValueError(
                f"unknown status {', '.join(map(repr, unknown))}; a job shows one of: "
                f"{', '.join(STATUS_CODES)}"
            )
        what = f"job {self._model.master_id} to be {' or '.join(sorted(wanted))}"
        wait_for(self._model.master_id, lambda: self.summary.get("status") in wanted, timeout, what)
        return str(self.summary.get("status"))

    def statistics(self) -> dict[str, Any]:
        """Run statistics of the job's subjobs, as the panel shows them: runtimes and queue
        waits (median, 95th percentile, histogram, the slowest subjobs), subjobs ended per
        minute, and on HTCondor peak memory against the request (with a right-sized request
        where it would differ), CPU efficiency and hosts. Kept up to date from here on."""
        with self._lock:
            report = self._model.statistics_report()
            self._send_changed({"stats": report})
            return report

    # -- lifetime ---------------------------------------------------------------------------

    def renderable(self) -> Any:
        return terminal.job_view(self.view())

    def view(self) -> dict[str, Any]:
        """The data the view shows now."""
        names = ("sharing", "summary", "counts", "notice", "failures", "held", "detail")
        return {name: getattr(self, name) for name in names}

    def __repr__(self) -> str:
        s = self.summary
        if not s:
            return "JobWidget(<no job>)"
        counts = ", ".join(f"{n} {k}" for k, n in self.counts.items())
        subjobs = f" [{counts} of {s['subjobs']}]" if s["subjobs"] else ""
        name = f" {s['name']!r}" if s["name"] else ""
        return f"JobWidget(job {s['fqid']}{name}: {s['status']}{subjobs})"


def _subjob(job: GangaJob, index: Any) -> Any:
    if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(job.subjobs):
        return job.subjobs[index]
    return None
