"""JobWidget: a live view of one Ganga job."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

from .. import actions, condor_watch, events, jobs, session, state, terminal
from ..job_model import JobModel

STATIC = Path(__file__).resolve().parent.parent / "static"


def static_text(name: str) -> str:
    """A file of ``static/`` as text. Given a path instead, anywidget connects every widget
    instance to a class-level file watcher and none is ever freed (manzt/anywidget#929)."""
    return (STATIC / name).read_text(encoding="utf-8")


class JobWidget(anywidget.AnyWidget):
    """A live view of one Ganga job: status, subjob progress, times, stderr, actions.

    ``JobWidget(j)`` or ``JobWidget(7)``. It updates by itself while the job changes (the
    kernel may be idle or busy), at most about ten times a second.
    """

    _esm = static_text("common.js") + static_text("job.js")
    _css = static_text("widgets.css")

    # Everything below is computed by ``state`` from the job; the view only draws it.
    summary = t.Dict().tag(sync=True)
    counts = t.Dict().tag(sync=True)
    cells = t.Unicode("").tag(sync=True)  # one status code per subjob (see ``legend``)
    selected = t.Int(-1).tag(sync=True)  # subjob shown in the detail panel; -1: automatic
    detail = t.Dict().tag(sync=True)
    failures = t.List().tag(sync=True)
    can = t.Dict().tag(sync=True)  # which actions make sense now
    notice = t.Unicode("").tag(sync=True)  # a problem the user should know about
    held = t.List().tag(sync=True)  # HTCondor: held subjobs grouped by hold reason
    analysis = t.Dict().tag(sync=True)  # HTCondor: the schedd's answer to "why idle?"
    action = t.Dict().tag(sync=True)  # outcome of the last action: seq, name, state, message
    clock = t.Float(0.0).tag(sync=True)  # kernel time of the update, to tick elapsed times
    legend = t.Dict(state.STATUS_OF_CODE).tag(sync=True)

    why_idle_after = 60.0  # seconds a Condor job waits before the view offers "Why idle?"

    def __init__(self, job: Any, **kwargs: Any) -> None:
        impl = jobs.resolve(job)  # raises a clear error before any widget exists
        super().__init__(**kwargs)
        self._model = JobModel(impl, self.why_idle_after)
        self._job = impl
        self._lock = threading.RLock()  # trait writes: dispatcher thread vs. message handlers
        self.on_msg(self._on_msg)
        # Subscribe before the first read: a change in between is then delivered, not lost.
        events.dispatcher().subscribe(self._model.master_id, self)
        if self._model.condor:
            condor_watch.watcher().follow(impl)
        self.refresh()

    @property
    def job(self) -> Any:
        """The Ganga job shown (its public object)."""
        return session.public(self._job)

    # -- updates ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read everything from the job now (updates also happen by themselves)."""
        with self._lock:
            self._model.read_all()
            self._push(detail=True)

    def on_changes(self, changes: events.Changes, tick: bool) -> None:
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
        changed = {k: v for k, v in values.items() if getattr(self, k) != v}
        if not changed:
            return
        changed["clock"] = time.time()
        with self.hold_sync():
            for name, value in changed.items():
                setattr(self, name, value)

    # -- messages from the view -------------------------------------------------------------

    def _on_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "select":
            self._select(content.get("subjob"))
        elif kind == "action":
            self.run_action(str(content.get("name")), content.get("subjob"), content.get("seq"))

    def _select(self, subjob: Any) -> None:
        if not isinstance(subjob, int) or isinstance(subjob, bool):
            return
        with self._lock:
            self.selected = subjob if 0 <= subjob < len(self._model.codes) else -1
            self._push(detail=True)

    def run_action(self, name: str, subjob: int | None = None, seq: Any = None) -> dict:
        """Run a view action and show its outcome. Whole job: "kill", "resubmit",
        "release_held". One subjob (``subjob``; None for a job without subjobs):
        "kill_subjob", "hold", "release", "why_idle"."""
        job = self._job
        target = job if subjob is None else _subjob(job, subjob)
        if name == "kill":
            outcome = actions.kill(job)
        elif name == "resubmit":
            outcome = actions.resubmit_failed(job)
        elif name == "release_held":
            held = self._model.codes.indices({"held"}, limit=100_000)
            outcome = actions.release_held(job, held)
        elif target is None:
            outcome = actions.Outcome(
                "refused", f"job {self._model.master_id} has no subjob {subjob}"
            )
        elif name == "kill_subjob":
            outcome = actions.kill(target)
        elif name == "hold":
            outcome = actions.hold(target)
        elif name == "release":
            outcome = actions.release(target)
        elif name == "why_idle":
            outcome, text = actions.why_idle(target)
            with self._lock:
                self.analysis = {"fqid": state.fqid(target), "text": text, "at": time.time()}
        else:
            outcome = actions.Outcome("refused", f"unknown action {name!r}")
        result = {"seq": seq, "name": name, "subjob": subjob, **outcome.to_dict()}
        with self._lock:
            self.action = result
        self.refresh()  # show the effect now rather than at the next dispatcher flush
        return result

    def wait(self, status: str | Iterable[str] | None = None, timeout: float | None = None) -> str:
        """Block until the view shows the job ``status`` (a status or several; default: any
        end). The widget keeps updating meanwhile; an interrupt stops the waiting, not the
        job. Returns the status shown; TimeoutError after ``timeout`` seconds."""
        if status is None:
            wanted = set(state.FINAL)
        else:
            wanted = {status} if isinstance(status, str) else set(status)
        unknown = sorted(wanted - set(state.STATUS_CODES))
        if unknown:
            raise ValueError(f"unknown status {', '.join(map(repr, unknown))}; a job shows one "
                             f"of: {', '.join(state.STATUS_CODES)}")  # fmt: skip
        what = f"job {self._model.master_id} to be {' or '.join(sorted(wanted))}"
        events.wait_for(self._model.master_id, lambda: self.summary.get("status") in wanted,
                        timeout, what)  # fmt: skip
        return str(self.summary.get("status"))

    # -- lifetime ---------------------------------------------------------------------------

    def close(self) -> None:
        events.dispatcher().unsubscribe(self._model.master_id, self)
        if self._model.condor:
            condor_watch.watcher().unfollow(self._job)
        super().close()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The widget, and its state as text and HTML for where no widget frontend runs."""
        data, metadata = super()._repr_mimebundle_(**kwargs)
        return terminal.mimebundle(data, self.renderable()), metadata

    def renderable(self) -> Any:
        """The view as a rich renderable: ``rich.print(w.renderable())`` in a terminal."""
        return terminal.job_view(self.view())

    def text(self, width: int = 110) -> str:
        """The view as plain text."""
        return terminal.to_text(self.renderable(), width=width)

    def view(self) -> dict[str, Any]:
        """The data the view shows now."""
        names = ("summary", "counts", "notice", "failures", "held", "detail")
        return {name: getattr(self, name) for name in names}

    def __repr__(self) -> str:
        s = self.summary
        if not s:
            return "JobWidget(<no job>)"
        counts = ", ".join(f"{n} {k}" for k, n in self.counts.items())
        subjobs = f" [{counts} of {s['subjobs']}]" if s["subjobs"] else ""
        name = f" {s['name']!r}" if s["name"] else ""
        return f"JobWidget(job {s['fqid']}{name}: {s['status']}{subjobs})"


def _subjob(job: Any, index: Any) -> Any:
    if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(job.subjobs):
        return job.subjobs[index]
    return None
