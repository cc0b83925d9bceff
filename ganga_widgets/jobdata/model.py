"""Everything a view of one job shows, kept up to date change by change.

A ``JobModel`` turns a Ganga job (plus what HTCondor said of it) into the plain data of its
view: header, counts, per-subjob codes, detail panel, failures, held subjobs, notice. The
notebook widget, the terminal and the static HTML snapshot all draw from it. Updates cost
O(changed subjobs): counts are adjusted, never recounted from thousands of objects. All it
reads besides the job comes from its ``Sources`` (``sources.LIVE`` by default).
"""

from __future__ import annotations

from typing import Any

from ..condor.facts import Facts
from ..dispatcher import Changes
from ..ganga_adapter import objects
from ..vocabulary.protocols import GangaJob
from ..vocabulary.status import (
    ACTIVE,
    FAILED,
    FINAL,
    SHOWN_ACTIVE,
    BatchSaid,
    Status,
    Statuses,
    display_status,
    job_status,
)
from . import notices, read
from .codes import SubjobCodes
from .condor_facts import held_groups, held_members
from .sources import LIVE, Sources
from .statistics import Feed, figures

# Statuses of a subjob that has not started (yet).
NOT_STARTED: Statuses = frozenset({"new", "submitting", "submitted", "idle", "unknown"})
STARTS_READ = 100  # subjobs read for a split job's start, when it is read whole


class JobModel:
    def __init__(
        self, job: GangaJob, why_idle_after: float = 60.0, sources: Sources = LIVE
    ) -> None:
        self.job = job
        self.sources = sources
        master = job.master if job.master is not None else job
        self._master = master
        self.master_id: int = master.id
        # The job's own key for HTCondor facts: (master id, None) or (master id, subjob id).
        self.own_index: int | None = job.id if job.master is not None else None
        backend = read.backend_name(job)
        self.batch = sources.batch(backend)  # what follows it beyond Ganga, if anything
        self.condor = backend == "Condor" and self.batch is not None
        self.local = backend == "Local"
        self._subjobs = job.subjobs  # a job read again from disk gets a new list
        self.why_idle_after = why_idle_after
        self.codes = SubjobCodes()
        self.detail_of: int | None = None  # subjob the detail panel shows
        self._failures_key: tuple | None = None  # None: not computed yet
        self._read_at_end = False  # every subjob read since the job last ended
        self._writes_seen = -1  # the writes_generation() its notice last showed
        self._shown = ""  # the job's status as last shown
        self._first_start: float | None = None  # a split job's: its first subjob's start
        # Run statistics: built when first asked for (the panel opened), then kept up to
        # date change by change.
        self.statistics: Feed | None = None

    # -- reading the job ----------------------------------------------------------------------

    def read_all(self) -> None:
        """Read every subjob's status (after a split, at the end, on demand)."""
        if self.batch is not None:
            self.batch.read_now(self.job)
        ended = self.job.status in FINAL
        statuses = objects.subjob_statuses(self.job)
        if self.condor or self._follows_status_files():
            statuses = [display_status(s, self.batch_said(i)) for i, s in enumerate(statuses)]
        self.codes = SubjobCodes(statuses)
        self._subjobs = self.job.subjobs
        self._first_start = None
        ran = [i for i, s in enumerate(statuses) if s not in NOT_STARTED]
        for index in ran[:STARTS_READ]:  # subjobs start about in order: the first few do
            self._note_start(index)
        self._read_at_end = ended
        if self.statistics is not None:
            self._build_statistics()

    def apply(self, changes: Changes) -> None:
        """Take in the dispatcher's changes: subjob ids (None: the job) to jobs."""
        subjobs = self._master.subjobs
        if self.own_index is not None and self.own_index < len(subjobs):
            self.job = subjobs[self.own_index]  # a subjob's view: its master read again
        # Re-read every subjob when the job was just split, and once when it ends: cheap
        # insurance that the final picture is exact. (Not on every master change: during
        # submission the master flips submitting/submitted once per subjob.)
        ended = None in changes and self.job.status in FINAL
        reread = self.job.subjobs is not self._subjobs  # read again from the owner's files
        if ended or reread or len(self.job.subjobs) != len(self.codes):
            self.read_all()
            return
        for subjob_id, job in changes.items():
            if subjob_id is not None:
                shown = self._shown_status(job, subjob_id)
                self.codes.set(subjob_id, shown)
                if shown not in NOT_STARTED:
                    self._note_start(subjob_id, job)
                if self.statistics is not None:
                    self.statistics.update(subjob_id, figures(job, self.facts(subjob_id)))

    def held_in(self, group: Any) -> list[int | None]:
        """Every held subjob (None: a job without subjobs) of a hold group: one of
        ``held``, or its ``key``; ``"memory"``: every one held for memory. Not only those
        the group lists."""
        key = group.get("key") if isinstance(group, dict) else group
        return held_members(self._held(), key) if isinstance(key, str) else []

    def _held(self) -> list[tuple[int | None, Facts]]:
        """The held subjobs, with what HTCondor said of each; a job without subjobs held:
        itself (index None)."""
        if not self.condor:
            return []
        if not len(self.codes):
            facts = self.facts(None)
            held = facts is not None and facts.status == "held" and self.job.status in ACTIVE
            return [(None, facts)] if held and facts is not None else []
        if not self.codes.counts().get("held"):  # no scan of thousands of subjobs for nothing
            return []
        return [
            (i, self.facts(i) or Facts()) for i in self.codes.indices({"held"}, len(self.codes))
        ]

    def _note_start(self, index: int, subjob: GangaJob | None = None) -> None:
        """Take in when subjob ``index`` started (HTCondor's word, else Ganga's), read only
        if HTCondor has not said."""
        facts = self.facts(index)
        started = facts.started if facts is not None else None
        if started is None:
            started = read.last_start(subjob or self.job.subjobs[index])
        if started is not None and (self._first_start is None or started < self._first_start):
            self._first_start = started

    # -- run statistics ----------------------------------------------------------------------

    def statistics_report(self) -> dict[str, Any]:
        """The run statistics now (kept up to date from here on)."""
        return (self.statistics or self._build_statistics()).report()

    def _build_statistics(self) -> Feed:
        feed = Feed(condor=self.condor)
        for index, subjob in enumerate(self.job.subjobs):
            feed.update(index, figures(subjob, self.facts(index)))
        self.statistics = feed
        return feed

    def facts(self, index: int | None) -> Facts | None:
        """What HTCondor said of subjob ``index`` (None: the job shown itself)."""
        if self.batch is None:
            return None
        key = self.own_index if index is None else index
        return self.batch.facts(self.master_id, key)

    def batch_said(self, index: int | None) -> BatchSaid | None:
        """What the batch system said of subjob ``index`` (None: the job shown) beyond
        Ganga's status: HTCondor's facts, or, in a session that follows another's jobs, a
        Local job's status file (the owner's Ganga saves its own view seconds later)."""
        if self.condor:
            return self.facts(index)
        if self._follows_status_files():
            key = self.own_index if index is None else index
            return self.sources.local_status(self.master_id, key)
        return None

    def _follows_status_files(self) -> bool:
        return self.local and self.sources.sharing().owner is not None

    def _shown_status(self, job: GangaJob, index: int) -> Status:
        said = self.batch_said(index)
        if self.batch is not None and said is not None and said.status in ("completed", "removed"):
            if job.status in ("submitting", "submitted") and (
                self.batch.forget_if_resubmitted(self.master_id, index)
            ):
                said = None  # those facts were of the attempt before
        return display_status(job.status, said)

    def active(self, shown_detail_status: str | None = None) -> bool:
        """Whether the view has something to follow (a live log, a ticking clock, a notice
        that the gangadir refuses writes, or accepts them again, the owner of a gangadir
        followed read-only ending)."""
        return (
            self.job.status in ACTIVE
            or shown_detail_status in SHOWN_ACTIVE
            or self._writes_seen != self.sources.writes_generation()
            or self.sources.sharing().owner is not None
        )

    # -- the view's data ----------------------------------------------------------------------

    def compute(self, selected: int = -1, detail: bool = True) -> dict[str, Any]:
        """The view's data; with ``detail=False`` the detail panel is recomputed only if
        the subjob it shows changed. Failures are recomputed only when they change."""
        job = self.job
        summary = read.summary(job)
        ganga_status = summary["status"]
        if ganga_status not in FINAL:
            self._read_at_end = False
        elif not self._read_at_end and len(self.codes):
            # it ended after the changes in hand were taken in (its own change comes with
            # the next flush): not "completed" beside counts of subjobs still running
            self.read_all()
        counts = self.codes.counts()
        if len(self.codes):
            summary["status"] = job_status(ganga_status, counts, self._shown)
            # Ganga stamps a master's start only once it leaves "submitted" (no subjob
            # queued): a split job started when its first subjob did.
            starts = [t for t in (summary["times"]["started"], self._first_start) if t]
            summary["times"]["started"] = min(starts) if starts else None
        else:  # HTCondor may say more than Ganga's "submitted": idle, held
            summary["status"] = display_status(ganga_status, self.batch_said(None))
        self._shown = summary["status"]
        if self.own_index is None:  # a master under submission: how far it is
            summary["submitting"] = self.sources.submitting(self.master_id)
        standing = self.sources.sharing()
        values: dict[str, Any] = {
            "summary": summary,
            "counts": counts,
            "cells": self.codes.text(),
            "can": read.actions(ganga_status, counts, bool(len(self.codes))),
            "notice": self.notice(summary),
            "ganga_log": self.sources.ganga_log(self.master_id),
            "sharing": standing.to_dict(),
        }
        subject = self.detail_subject(selected)
        if detail or subject != self.detail_of:
            self.detail_of = subject
            values["detail"] = self._detail(subject)
        if standing.owner is not None:
            _nothing_offered(values)
        if self.condor:
            values["held"] = held_groups(self._held())
        if self.statistics is not None and self.statistics.due(final=ganga_status in FINAL):
            values["stats"] = self.statistics_report()
        any_failed = any(counts.get(s) for s in FAILED)
        failed = tuple(self.codes.indices(FAILED, read.FAILURES_SHOWN)) if any_failed else ()
        key = (failed, *(job.subjobs[i].info.submit_counter for i in failed))
        if key != self._failures_key:
            self._failures_key = key
            values["failures"] = [read.failure(job.subjobs[i]) for i in failed]
        return values

    def _detail(self, subject: int | None) -> dict[str, Any]:
        shown = self.job if subject is None else self.job.subjobs[subject]
        facts = self.facts(subject)
        live = None
        if self.batch is not None and facts is not None and facts.status == "running":
            index = self.own_index if subject is None else subject
            live = self.batch.live_stderr(self.master_id, index)
        return read.detail(shown, facts, self.why_idle_after, live)

    def detail_subject(self, selected: int = -1) -> int | None:
        """The subjob the detail panel shows: the selected one, else a running one, else a
        held or failed one, else the first; None for a job without subjobs."""
        if not len(self.codes):
            return None
        if 0 <= selected < len(self.codes):
            return selected
        found = self.codes.first("running", "held", "failed", "completing", "idle", "submitted")
        return found if found is not None else 0

    def notice(self, summary: dict) -> str:
        """Every problem the user should know about, one per line."""
        self._writes_seen = self.sources.writes_generation()
        is_master = self.own_index is None
        return notices.notice(summary, self.sources, self.master_id, is_master, self.batch)

    def problem(self, err: Exception) -> str:
        """What to say when the job cannot be read (removed meanwhile, say)."""
        if getattr(self.job, "status", None) == "removed":
            return notices.removed(self.sources, self.master_id)
        return f"cannot read job {self.master_id}: {type(err).__name__}: {err}"


def snapshot(job: GangaJob, sources: Sources = LIVE) -> dict[str, Any]:
    """The whole view's data of a job, read now (for terminals and static HTML)."""
    model = JobModel(job, sources=sources)
    model.read_all()
    try:
        return model.compute()
    except Exception as err:
        return {"summary": read.summary(job), "counts": {}, "notice": model.problem(err)}


def _nothing_offered(values: dict[str, Any]) -> None:
    """A read-only session offers no action on the owner's jobs (asking the schedd why a
    job is idle changes nothing: still offered)."""
    values["can"] = dict.fromkeys(values["can"], False)
    detail = values.get("detail")
    if detail:
        detail["can_kill"] = False
        if detail.get("condor"):
            detail["condor"].update(can_hold=False, can_release=False)
