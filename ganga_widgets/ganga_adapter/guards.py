"""Guards against defects of Ganga 8.7.12 that would stall live updates or leave work behind.

Each guard states the defect it covers. They are installed once, at start-up; the guards
applied later, at a kill, are in ``kills``.
"""

from __future__ import annotations

import logging
from typing import Any

from ..vocabulary.status import IN_BATCH
from . import condor_guards, objects, string_values
from .kills import fail_local_jobs_left_without_processes, killing

log = logging.getLogger("ganga_widgets")

_INSTALLED = "_ganga_widgets_fixed"


def install() -> None:
    """Apply every guard once (idempotent)."""
    from GangaCore.Core.MonitoringComponent import MonitoringService

    service = MonitoringService.AsyncMonitoringService
    if getattr(service, _INSTALLED, False):
        return
    string_values.install()
    _fix_leftover_backend_variable(service)
    _fix_stale_active_backends(service)
    _fix_job_scripts()
    condor_guards.install()
    _guard_local_monitor()
    _guard_kills()
    setattr(service, _INSTALLED, True)


def _fix_leftover_backend_variable(service: Any) -> None:
    """Defect: when two backends become active in one pass, `_check_active_backends` starts
    polling with the loop's leftover `backend_obj`, so one backend is polled twice and the
    other never (e.g. a Local job stops updating while a Condor job is also active).
    Also: an exception for one job ended the polling for good, and each pass cost
    O(registry size) per job to learn whether it is loaded (O(n²): 5,000 jobs)."""
    from GangaCore.Core.GangaRepository.Registry import RegistryKeyError, RegistryLockError
    from GangaCore.GPIDev.Base.Proxy import getName, stripProxy
    from GangaCore.GPIDev.Lib.Job.Job import lazyLoadJobBackend, lazyLoadJobStatus
    from GangaCore.Utility.Config import getConfig

    poll_rate = getConfig("PollThread")["base_poll_rate"]

    def status_of(j: Any) -> str:
        entry = objects.index_entry(j)  # O(1); Ganga's lazyLoadJobStatus is O(registry size)
        return j.status if entry is None else entry.get("status") or lazyLoadJobStatus(j)

    def _check_active_backends(self: Any, job_slice: Any = None) -> None:
        if not self.enabled:
            return
        done = False
        try:
            done = _find_active_backends(self, job_slice)
        finally:  # also defect: one error here stopped all monitoring for good
            if not done:
                self.loop.call_later(poll_rate, self._check_active_backends, job_slice)

    def _find_active_backends(self: Any, job_slice: Any) -> bool:
        """Ganga's pass over the registry, fixed; True if a job_slice has nothing active."""
        ids = job_slice.ids() if job_slice else self.registry_slice.ids()
        found: dict = {}
        backend_of: dict = {}  # backend name -> a backend object of that type
        for i in ids:
            try:
                j = stripProxy(self.registry_slice(i))
                status = status_of(j)
                if status in IN_BATCH or (j.master and status == "submitting"):
                    backend = lazyLoadJobBackend(j)
                    name = getName(backend)
                    found.setdefault(name, []).append(j)
                    backend_of.setdefault(name, backend)
            except (RegistryKeyError, RegistryLockError):
                pass  # the job was removed meanwhile
            except Exception as err:  # e.g. Ganga's own race loading a job: skip it this pass
                log.debug("monitoring skipped job %s this pass: %r", i, err)
        if job_slice and not found:
            self.enabled = False
            return True
        previous = self.active_backends
        self.active_backends = found
        for name in found:
            if name not in previous:
                self._check_backend(backend_of[name])
        if previous:
            self._cleanup_finished_backends(previous, found)
        return False

    service._check_active_backends = _check_active_backends


def _fix_stale_active_backends(service: Any) -> None:
    """Defect: `disable()` cancels the backend poll timers but keeps `active_backends`, so
    after `enable()`/`runMonitoring()` those backends look already polled and never are again."""
    for name in ("enable", "runMonitoring"):
        original = getattr(service, name)

        def reset_then_call(self: Any, *args: Any, _original: Any = original, **kwargs: Any):
            self.active_backends = {}
            self.scheduled_backend_checks = {}
            return _original(self, *args, **kwargs)

        setattr(service, name, reset_then_call)


def _fix_job_scripts() -> None:
    """Defects of the job scripts Ganga writes (every backend writes them through
    `FileWorkspace.writefile`), each fixed in the script's text:
    - the sandbox code inlined in every script calls tarfile's `extractall` without a filter:
      on Python 3.12+ a DeprecationWarning in the job's stderr (a Local job's: in the cell);
    - the Condor wrapper's `\\$` escapes: two SyntaxWarnings atop every job's stderr where
      the execute node's Python is 3.12+;
    - the Condor wrapper joins the arguments into a bash line unquoted, so spaces, quotes,
      `$`, `;` and newlines are read again by bash (Local passes them to the program as
      given): they are quoted, so they reach the program as given on both."""
    from GangaCore.Core.FileWorkspace import FileWorkspace

    original = FileWorkspace.writefile

    def writefile(self: Any, fileobj: Any, executable: Any = None) -> Any:
        text = getattr(fileobj, "_contents", None)
        if isinstance(text, str) and _UNFILTERED_EXTRACT in text:
            fileobj._contents = job_script_fixed(text)
        return original(self, fileobj, executable)

    FileWorkspace.writefile = writefile


_UNFILTERED_EXTRACT = "tf.extractall(dest_dir)"
# What `extractall` did before Python 3.12 and does unfiltered now, said explicitly: the
# sandbox is the user's own files, packed by their own Ganga.
_TRUSTED_EXTRACT = (
    "tf.extraction_filter = getattr(tarfile, 'fully_trusted_filter', None); tf.extractall(dest_dir)"
)
_CONDOR_WRAPPER = "# Condor job wrapper created by Ganga"
_CONDOR_FIXES = {
    # bash must see `\$` (print "${BASH_ENV}" literally): `\\$` gives it without a warning
    "\\${BASH_ENV}": "\\\\${BASH_ENV}",
    "wrapperFile.write( '%s\\n' % ' '.join(execmd) )": (
        "import shlex\nwrapperFile.write( '%s\\n' % ' '.join(shlex.quote(a) for a in execmd) )"
    ),
}


def job_script_fixed(text: str) -> str:
    """A job script of Ganga's with the defects above fixed (see _fix_job_scripts)."""
    text = text.replace(_UNFILTERED_EXTRACT, _TRUSTED_EXTRACT)
    if _CONDOR_WRAPPER in text:
        for old, new in _CONDOR_FIXES.items():
            if old not in text:  # Ganga's wrapper changed: never submit it half-fixed
                raise RuntimeError(
                    f"ganga_widgets cannot fix Ganga's Condor job wrapper: {old!r} is not in "
                    "it (this Ganga is not the 8.7.12 it was written for)"
                )
            text = text.replace(old, new)
    return text


def _guard_local_monitor() -> None:
    """Defect: a Local job whose processes were killed from outside Ganga shows "running"
    forever (see ``kills.fail_local_jobs_left_without_processes``): after each of Ganga's
    monitoring passes, such a job is marked failed."""
    from GangaCore.Lib.Localhost.Localhost import Localhost

    original = Localhost.updateMonitoringInformation

    async def update(jobs: Any) -> Any:
        result = await original(jobs)
        fail_local_jobs_left_without_processes(list(jobs))
        return result

    Localhost.updateMonitoringInformation = staticmethod(update)


def _guard_kills() -> None:
    """Ganga's kill ends every subjob's processes before it marks any "killed": the guard
    above must not take those subjobs for ones killed from outside and mark them failed
    (then the whole job shows "failed", not "killed"). Every kill -- a widget's, or
    `j.kill()` and `j.remove()` typed in the notebook -- passes through Job._kill."""
    from GangaCore.GPIDev.Lib.Job.Job import Job

    original = Job._kill

    def _kill(self: Any, *args: Any, **kwargs: Any) -> Any:
        with killing(self):
            return original(self, *args, **kwargs)

    Job._kill = _kill
