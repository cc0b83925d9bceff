"""Guards against defects of Ganga 8.7.12's Condor backend: the bindings it imports, a
submit without a pool, and its monitoring pass."""

from __future__ import annotations

import importlib
import logging
import os
import threading
from typing import Any

from ..condor import bindings as condor
from ..condor import eventlog, v1_names
from .kills import mark_removed_job_killed

log = logging.getLogger("ganga_widgets")


def install() -> None:
    """Apply the guards of Ganga's Condor backend (called once, by ``guards.install``)."""
    from GangaCore.Core.exceptions import BackendError

    module = importlib.import_module("GangaCore.Lib.Condor.Condor")  # not its class Condor

    give_condor_version_1_names(module)
    _refuse_condor_submit_without_a_pool(module.Condor, condor, BackendError)
    _guard_condor_monitor(module.Condor)


def give_condor_version_1_names(module: Any) -> None:
    """Defect: Ganga's Condor backend imports the version-1 `htcondor` and `classad` modules,
    which HTCondor 25 no longer ships, and then fails with `NameError: htcondor` at submit.
    Give it the names it uses, built on htcondor2 (see condor.v1_names)."""
    if getattr(module, "htcondor", None) is not None:
        return  # the version-1 bindings are installed: Ganga uses them
    try:
        module.htcondor, module.classad = v1_names.modules()
    except ImportError:
        pass  # no bindings at all: a submit is refused saying what to install


def _refuse_condor_submit_without_a_pool(backend: Any, condor: Any, error: type) -> None:
    """Defect: without the bindings Ganga's Condor submit dies with `NameError: htcondor`;
    with no pool configured or reachable, with "Unable to locate local daemon". Say instead
    what is missing, before anything is submitted."""
    for name in ("master_submit", "resubmit", "master_resubmit"):
        original = getattr(backend, name)

        def checked(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            problem = condor.problem()
            if problem:
                raise error("Condor", problem)
            return _original(self, *args, **kwargs)

        setattr(backend, name, checked)


def _guard_condor_monitor(backend: Any) -> None:
    """Defects of Ganga's Condor monitoring pass (`updateMonitoringInformation`):
    - while the schedd cannot be reached it raises out of Ganga's thread pool, printing an
      ERROR traceback ("Task exception was never retrieved") under a random cell: log it at
      debug level instead (the widgets say that the schedd is unreachable);
    - its skip of killed jobs (`if id in jobDict[id].status == "killed"`) never fires, and a
      job removed outside Ganga (condor_rm) is judged from its stdout: it turns "failed",
      even after Ganga's own kill. Leave killed jobs alone, and call a job its event log says
      was removed killed, before Ganga judges the rest."""
    original = backend.updateMonitoringInformation

    def update(jobs: Any) -> Any:
        remaining = []
        for job in jobs:
            if job.status == "killed":
                continue
            if _condor_log_says_removed(job):
                mark_removed_job_killed(job)
            else:
                remaining.append(job)
        _judging.condor = True
        try:
            return original(remaining) if remaining else None
        except Exception as err:
            if type(err).__module__.startswith("htcondor"):
                log.debug("ganga_widgets: Condor monitoring skipped: %s", err)
                return None
            raise
        finally:
            _judging.condor = False

    backend.updateMonitoringInformation = staticmethod(update)
    _removed_is_killed_while_judging()


_judging = threading.local()  # .condor: this thread runs Ganga's Condor monitoring pass


def _removed_is_killed_while_judging() -> None:
    """The look at the event log above comes before Ganga's own query: a condor_rm whose
    abort is written in between (a running job is evicted first, then aborted) still left
    Ganga judging the job from its stdout, "failed" (seen once in many runs). While Ganga's
    Condor monitoring judges, a "failed" for a job its event log says was removed is
    "killed"."""
    from GangaCore.GPIDev.Lib.Job.Job import Job

    original = Job.updateStatus

    def updateStatus(self: Any, newstatus: str, *args: Any, **kwargs: Any) -> Any:
        if (
            newstatus == "failed"
            and getattr(_judging, "condor", False)
            and _condor_log_says_removed(self)
        ):
            newstatus = "killed"
        return original(self, newstatus, *args, **kwargs)

    Job.updateStatus = updateStatus


def _condor_log_says_removed(job: Any) -> bool:
    try:
        path = os.path.join(job.getOutputWorkspace(create=False).getPath(), eventlog.FILE_NAME)
        log_ = eventlog.EventLog(path)
        log_.read()
    except Exception:  # no workspace, no bindings: Ganga judges the job itself
        return False
    return log_.facts.status == "removed"  # event 009, "Job was aborted" (condor_rm)
