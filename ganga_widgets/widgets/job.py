"""JobWidget: a live view of one Ganga job."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

from .. import actions, condor_watch, events, jobs, session, state
from ..condor_events import Facts

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

    _esm = static_text("job.js")
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
        self._job = impl
        master = impl.master if impl.master is not None else impl
        self._master_id: int = master.id
        # The job's own key for HTCondor facts: (master id, None) or (master id, subjob id).
        self._own_index: int | None = impl.id if impl.master is not None else None
        self._condor = state.backend_name(impl) == "Condor"
        self._lock = threading.RLock()  # trait writes: dispatcher thread vs. message handlers
        self._codes = state.SubjobCodes()
        self._detail_of: int | None = None  # subjob the detail panel currently shows
        self._failures_key: tuple = ()
        self.on_msg(self._on_msg)
        # Subscribe before the first read: a change in between is then delivered, not lost.
        events.dispatcher().subscribe(self._master_id, self)
        if self._condor:
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
            if self._condor:
                condor_watch.watcher().read_now(self._job)
            self._read_all_codes()
            self._push(detail=True)

    def _read_all_codes(self) -> None:
        statuses = state.subjob_statuses(self._job)
        if self._condor:
            statuses = [state.display_status(s, self._facts(i)) for i, s in enumerate(statuses)]
        self._codes = state.SubjobCodes(statuses)

    def _shown_status(self, job: Any, index: int) -> str:
        facts = self._facts(index)
        if facts is not None and facts.status in ("completed", "removed"):
            if job.status in ("submitting", "submitted") and (
                condor_watch.watcher().forget_if_resubmitted(self._master_id, index)
            ):
                facts = None  # those facts were of the attempt before
        return state.display_status(job.status, facts)

    def _facts(self, index: int | None) -> Facts | None:
        """What HTCondor said of subjob ``index`` (None: the job shown itself)."""
        if not self._condor:
            return None
        key = self._own_index if index is None else index
        return condor_watch.watcher().facts(self._master_id, key)

    def on_changes(self, changes: events.Changes, tick: bool) -> None:
        """Called by the dispatcher: ``changes`` maps subjob ids (None: the job) to jobs."""
        if self.comm is None:  # closed meanwhile
            return
        with self._lock:
            # Re-read every subjob when the job was just split, and once when it ends: cheap
            # insurance that the final picture is exact. (Not on every master change: during
            # submission the master flips submitting/submitted once per subjob.)
            ended = None in changes and self._job.status in state.FINAL
            if ended or len(self._job.subjobs) != len(self._codes):
                self._read_all_codes()
            else:
                for subjob_id, job in changes.items():
                    if subjob_id is not None:
                        self._codes.set(subjob_id, self._shown_status(job, subjob_id))
            shown = self._detail_of
            self._push(detail=tick or shown in changes or (shown is None and None in changes))

    def wants_tick(self) -> bool:
        job = self._job
        return job.status in state.ACTIVE or self.detail.get("status") in state.SHOWN_ACTIVE

    def _push(self, detail: bool) -> None:
        """Compute the view's data from the job and send what changed, as one message."""
        try:
            values = self._compute(detail)
        except Exception as err:  # e.g. the job was removed while we read it
            values = {"notice": self._problem(err)}
        changed = {k: v for k, v in values.items() if getattr(self, k) != v}
        if not changed:
            return
        changed["clock"] = time.time()
        with self.hold_sync():
            for name, value in changed.items():
                setattr(self, name, value)

    def _compute(self, detail: bool) -> dict[str, Any]:
        job = self._job
        summary = state.summary(job)
        counts = self._codes.counts()
        ganga_status = summary["status"]
        if len(self._codes):
            summary["status"] = state.job_status(ganga_status, counts)
        else:  # HTCondor may say more than Ganga's "submitted": idle, held
            summary["status"] = state.display_status(ganga_status, self._facts(None))
        values: dict[str, Any] = {
            "summary": summary,
            "counts": counts,
            "cells": self._codes.text(),
            "can": state.actions(ganga_status, counts, bool(len(self._codes))),
            "notice": self._notice(summary),
        }
        subject = self._detail_subject()
        if detail or subject != self._detail_of:
            self._detail_of = subject
            shown = job if subject is None else job.subjobs[subject]
            facts = self._facts(subject)
            live = None
            if facts is not None and facts.status == "running":
                index = self._own_index if subject is None else subject
                live = condor_watch.watcher().live_stderr(self._master_id, index)
            values["detail"] = state.detail(shown, facts, self.why_idle_after, live)
        # The counts say whether to look at all: no scan of thousands of subjobs for nothing.
        if self._condor:
            held = self._codes.indices({"held"}, limit=10_000) if counts.get("held") else []
            values["held"] = state.held_groups([(i, self._facts(i) or Facts()) for i in held])
        any_failed = any(counts.get(s) for s in state.FAILED)
        failed = (
            tuple(self._codes.indices(state.FAILED, state.FAILURES_SHOWN)) if any_failed else ()
        )
        key = (failed, *(job.subjobs[i].info.submit_counter for i in failed))
        if key != self._failures_key:
            self._failures_key = key
            values["failures"] = [state.failure(job.subjobs[i]) for i in failed]
        return values

    def _detail_subject(self) -> int | None:
        """The subjob the detail panel shows: the selected one, else a running one, else a
        failed one, else the first; None for a job without subjobs."""
        if not len(self._codes):
            return None
        if 0 <= self.selected < len(self._codes):
            return self.selected
        found = self._codes.first("running", "held", "failed", "completing", "idle", "submitted")
        return found if found is not None else 0

    def _notice(self, summary: dict) -> str:
        """Every problem the user should know about, one per line."""
        problems = []
        current = session.current()
        if current is not None and current.problem:
            problems.append(current.problem)
        outputdir = summary["outputdir"]
        # A split job's output is in its subjobs' dirs (a Condor master has none of its own).
        own_output = summary["status"] != "new" and not summary["subjobs"]
        if own_output and outputdir and not _readable_dir(outputdir):
            problems.append(f"the job's output directory is missing or unreadable: {outputdir}")
        if self._condor:
            problems.append(condor_watch.watcher().health.problem())
        return "\n".join(p for p in problems if p)

    def _problem(self, err: Exception) -> str:
        status = getattr(self._job, "status", None)
        if status == "removed":
            return f"job {self._master_id} was removed from the registry"
        return f"cannot read job {self._master_id}: {type(err).__name__}: {err}"

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
            self.selected = subjob if 0 <= subjob < len(self._codes) else -1
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
            outcome = actions.release_held(job, self._codes.indices({"held"}, limit=100_000))
        elif target is None:
            outcome = actions.Outcome("refused", f"job {self._master_id} has no subjob {subjob}")
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

    # -- lifetime ---------------------------------------------------------------------------

    def close(self) -> None:
        events.dispatcher().unsubscribe(self._master_id, self)
        if self._condor:
            condor_watch.watcher().unfollow(self._job)
        super().close()

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


def _readable_dir(path: str) -> bool:
    return os.path.isdir(path) and os.access(path, os.R_OK | os.X_OK)
