"""What the buttons do: kill a job or a subjob, resubmit failed subjobs.

Each action checks first whether it makes sense and, if not, is refused with the reason;
otherwise it acts through Ganga's public API and reports what happened. Nothing the user had
is lost: the output of a failed attempt is kept before Ganga clears it for the resubmission.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .condor import schedd
from .ganga_adapter import objects, registry
from .ganga_adapter.kills import kill_local_orphans
from .jobdata import read
from .vocabulary.protocols import GangaJob
from .vocabulary.status import ACTIVE, FAILED, IN_BATCH

log = logging.getLogger("ganga_widgets")

PREVIOUS_ATTEMPTS = "previous-attempts"


@dataclass(frozen=True)
class Outcome:
    state: str  # "done", "refused" (nothing was changed) or "failed" (Ganga raised)
    message: str

    def to_dict(self) -> dict:
        return {"state": self.state, "message": self.message}


def _in_this_session(action: Any) -> Any:
    """An action on a job another Ganga session holds is refused before anything is
    touched: that session's view of the job must stay true (a Local job killed from here
    would run on there as "running", its processes gone)."""

    @functools.wraps(action)
    def checked(job: GangaJob, *args: Any) -> Outcome:
        refused = registry.held_elsewhere(job)
        if refused:
            return Outcome("refused", refused)
        return action(job, *args)

    return checked


@_in_this_session
def kill(job: GangaJob) -> Outcome:
    """Kill a job (with all its subjobs) or a single subjob."""
    name = _name(job)
    status = job.status
    if status not in IN_BATCH:
        return Outcome("refused", f"{name} is {_describe(status)}: nothing to kill")
    try:
        objects.public(job).kill()
    except objects.ganga_errors() as err:
        return Outcome("failed", f"killing {name} failed: {err}")
    if read.backend_name(job) == "Local":
        kill_local_orphans(job)
    return Outcome("done", f"{name} killed")


@_in_this_session
def resubmit_failed(job: GangaJob) -> Outcome:
    """Resubmit the failed subjobs of a job (or a failed job without subjobs)."""
    name = _name(job)
    if len(job.subjobs) == 0:
        if job.status not in FAILED:
            return Outcome("refused", f"{name} is {_describe(job.status)}, not failed")
        targets = [job]
    else:
        failed = [i for i, s in enumerate(objects.subjob_statuses(job)) if s in FAILED]
        if not failed:
            return Outcome("refused", f"{name} has no failed subjobs to resubmit")
        targets = [job.subjobs[i] for i in failed]
    kept = [_keep_previous_attempt(t) for t in targets]
    try:
        if len(job.subjobs) == 0 or _master_resubmits_only_failed(job):
            objects.public(job).resubmit()  # one submission for all, as Ganga batches it
        else:
            for target in targets:  # the master is still running: one subjob at a time
                objects.public(target).resubmit()
    except objects.ganga_errors() as err:
        return Outcome("failed", f"resubmitting {name} failed: {err}")
    what = f"{len(targets)} failed subjob{'s' if len(targets) != 1 else ''} of {name}"
    if len(job.subjobs) == 0:
        what = name
    where = next((k for k in kept if k), None)
    note = f"; the failed attempt's output is kept in {os.path.dirname(where)}" if where else ""
    return Outcome("done", f"resubmitted {what}{note}")


@_in_this_session
def remove(job: GangaJob) -> Outcome:
    """Remove a job from the registry with all its files (Ganga kills it first if it runs)."""
    name = _name(job)
    was_active = job.status in ACTIVE
    if job.status in IN_BATCH:
        kill(job)  # ours, not remove()'s own: it also ends a Local job's orphaned subjobs
    try:
        objects.public(job).remove()
    except objects.ganga_errors() as err:
        return Outcome("failed", f"removing {name} failed: {err}")
    return Outcome(
        "done", f"{name} removed with its files" + (", killed first" if was_active else "")
    )


def on_many(action: Any, jobs: list[GangaJob], verb: str) -> Outcome:
    """Run ``action`` on several jobs; one outcome that says what happened to each."""
    outcomes = [(job, _guarded(action, job, verb)) for job in jobs]
    done = [job for job, o in outcomes if o.state == "done"]
    others = [o for _, o in outcomes if o.state != "done"]
    parts = []
    if done:
        ids = ", ".join(str(job.id) for job in done[:10]) + (", ..." if len(done) > 10 else "")
        parts.append(f"{verb} {len(done)} job{'s' if len(done) != 1 else ''} ({ids})")
    if others:
        parts.append("; ".join(o.message for o in others[:5]) + (" ..." if len(others) > 5 else ""))
    if not parts:
        return Outcome("refused", "no job selected")
    state_ = (
        "done" if done else ("failed" if any(o.state == "failed" for o in others) else "refused")
    )
    return Outcome(state_, "; ".join(parts))


def _guarded(action: Any, job: GangaJob, verb: str) -> Outcome:
    """One job's failure (Ganga cannot read it, say) must not stop the others'."""
    try:
        return action(job)
    except Exception as err:
        return Outcome("failed", f"job {job.id} not {verb}: {type(err).__name__}: {err}")


@_in_this_session
def hold(job: GangaJob) -> Outcome:
    """Put a queued or running Condor (sub)job on hold."""
    return _condor_act(job, "hold", IN_BATCH)


@_in_this_session
def release(job: GangaJob) -> Outcome:
    """Release a held Condor (sub)job (Ganga still calls it submitted or running)."""
    return _condor_act(job, "release", IN_BATCH)


@_in_this_session
def release_held(job: GangaJob, held: Sequence[int | None]) -> Outcome:
    """Release every held subjob of a job (``held``: their indices; None: the job itself,
    one without subjobs)."""
    if not held:
        return Outcome("refused", f"{_name(job)} has no held subjobs")
    ids = [schedd.job_id(job if i is None else job.subjobs[i]) for i in held]
    done, error = schedd.act("release", [i for i in ids if i], reason=RELEASE_REASON)
    if not done:
        return Outcome("failed", f"releasing the held subjobs of {_name(job)} failed: {error}")
    note = f" ({error})" if error else ""
    return Outcome("done", f"released {done} held subjob{'s' if done != 1 else ''}{note}")


# The most memory a resubmission may ask for (MB): a typing slip must not ask for a node
# no pool has (the job would stay idle for good).
MAX_MEMORY_MB = 1_000_000


@_in_this_session
def resubmit_with_memory(job: GangaJob, held: Sequence[int | None], memory_mb: Any) -> Outcome:
    """Resubmit held subjobs (``held``: their indices; a job without subjobs: itself)
    asking HTCondor for ``memory_mb`` MB. Through Ganga: its kill takes each out of the
    queue, its backend's ``cdf_options["request_memory"]`` is set, and its resubmit queues
    it again, so Ganga's records (ids, submit counts, statuses) stay its own."""
    name = _name(job)
    if isinstance(memory_mb, bool) or not isinstance(memory_mb, int):
        return Outcome("refused", f"the memory must be a whole number of MB, not {memory_mb!r}")
    if not 0 < memory_mb <= MAX_MEMORY_MB:
        return Outcome("refused", f"{memory_mb} MB is not a memory to ask for (1 to 1,000,000)")
    if read.backend_name(job) != "Condor":
        return Outcome("refused", f"{name} is not an HTCondor job")
    targets = [job] if len(job.subjobs) == 0 else [job.subjobs[i] for i in held if i is not None]
    targets = [t for t in targets if t.status in IN_BATCH]
    if not targets:
        return Outcome("refused", f"{name} has no held subjob to resubmit")
    for target in targets:
        _keep_previous_attempt(target)
        try:
            objects.public(target).kill()
            options = dict(target.backend.cdf_options or {})
            options["request_memory"] = str(memory_mb)
            # Ganga's public API refuses any change of cdf_options once a job was submitted
            # (it is not "changable_at_resubmit"), although its Condor resubmit builds the
            # description anew from them: set on Ganga's object itself, recorded as ever.
            target.backend.cdf_options = options
            objects.public(target).resubmit()
        except objects.ganga_errors() as err:
            return Outcome("failed", f"resubmitting {_name(target)} failed: {err}")
    what = f"{len(targets)} subjob{'s' if len(targets) != 1 else ''} of {name}"
    return Outcome("done", f"resubmitted {what if job.subjobs else name} with {memory_mb:,} MB")


def why_idle(job: GangaJob) -> tuple[Outcome, str]:
    """The schedd's analysis of why a Condor job does not start; (outcome, analysis text)."""
    condor_id = schedd.job_id(job)
    if not condor_id:
        return Outcome("refused", f"{_name(job)} is not a submitted Condor job"), ""
    text = schedd.analyze(condor_id)
    return Outcome("done", f"analysis of {_name(job)} (HTCondor id {condor_id})"), text


HOLD_REASON = "held from a notebook (ganga_widgets)"
RELEASE_REASON = "released from a notebook (ganga_widgets)"


def _condor_act(job: GangaJob, action: str, allowed: frozenset[str]) -> Outcome:
    name = _name(job)
    condor_id = schedd.job_id(job)
    if not condor_id:
        return Outcome("refused", f"{name} is not a submitted Condor job")
    if job.status not in allowed:
        return Outcome("refused", f"{name} is {_describe(job.status)}: nothing to {action}")
    reason = HOLD_REASON if action == "hold" else RELEASE_REASON
    done, error = schedd.act(action, [condor_id], reason=reason)
    if not done:
        return Outcome("failed", f"could not {action} {name}: {error or 'refused by the schedd'}")
    return Outcome("done", f"{name} {'held' if action == 'hold' else 'released'}")


def _master_resubmits_only_failed(job: GangaJob) -> bool:
    # Ganga refuses to resubmit an active master, and resubmits every subjob of a finished
    # one if the user configured resubmitOnlyFailedSubjobs = False.
    return job.status in ("completed", "failed", "killed") and bool(
        objects.config("Configuration", "resubmitOnlyFailedSubjobs")
    )


def _keep_previous_attempt(job: GangaJob) -> str:
    """Ganga empties a job's output dir when resubmitting it: keep the files first, by
    hard link (no copy) in ``<job dir>/previous-attempts/<attempt>/``. Returns that path."""
    outputdir = os.path.normpath(read.outputdir(job) or "")
    if not outputdir or not os.path.isdir(outputdir) or not os.listdir(outputdir):
        return ""
    attempt = str(job.info.submit_counter)
    target = os.path.join(os.path.dirname(outputdir), PREVIOUS_ATTEMPTS, attempt)
    try:
        shutil.copytree(outputdir, target, copy_function=_link_or_copy, dirs_exist_ok=True)
    except OSError as err:
        log.warning("ganga_widgets: could not keep the output of %s: %s", _name(job), err)
        return ""
    return target


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _name(job: GangaJob) -> str:
    master = job.master
    return f"subjob {master.id}.{job.id}" if master is not None else f"job {job.id}"


def _describe(status: str) -> str:
    return {
        "new": "new (not submitted yet)",
        "submitting": "still being submitted; try again in a moment",
        "completing": "completing (its output is being collected)",
    }.get(status, f"already {status}")
