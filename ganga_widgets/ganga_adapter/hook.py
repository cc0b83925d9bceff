"""The status-change hook on Ganga jobs, feeding the dispatcher.

Ganga has no observer API. Every status change of a job, whoever makes it (submit and kill
on the main thread, monitoring threads, rollbacks, ``force_status``, ``remove``), ends in
``Job.__setattr__("status", ...)``: we wrap that once. The hook runs inside Ganga's locks on
Ganga's threads, so it only records *which* job changed and wakes the dispatcher (and, as a
job is submitted again, keeps when it was first submitted).
"""

from __future__ import annotations

import logging
from typing import Any

from ..dispatcher import dispatcher

log = logging.getLogger("ganga_widgets")

_HOOKED = "_ganga_widgets_hooked"


def install_hook(job_class: type) -> None:
    """Wrap ``job_class.__setattr__`` once so that status changes reach the dispatcher."""
    if job_class.__dict__.get(_HOOKED):
        return
    original: Any = job_class.__setattr__

    def __setattr__(self: Any, name: str, value: Any) -> None:
        original(self, name, value)
        # type check: templates (a Job subclass) live in another registry with its own ids
        if name == "status" and type(self) is job_class:
            try:
                if value == "submitting":
                    keep_first_submission(self)
                _emit(self)
            except Exception:  # must never break Ganga's own state change
                log.exception("ganga_widgets: status hook failed")

    setattr(job_class, "__setattr__", __setattr__)  # noqa: B010  (a type checker refuses the plain assignment)
    setattr(job_class, _HOOKED, True)


def _emit(job: Any) -> None:
    master = job.master
    if master is None:
        if isinstance(job.id, int):
            dispatcher().notify(job.id, None, job)
    elif isinstance(master.id, int) and isinstance(job.id, int):
        dispatcher().notify(master.id, job.id, job)


def keep_first_submission(job: Any) -> None:
    """A job submitted again (``resubmit``, which goes through "submitting") would lose when
    it was first submitted: Ganga stamps each submission over the one before. That one is
    kept in Ganga's own timestamps, as ``first_submitted``, so every view can say it."""
    stamps = job.time.timestamps
    if "submitted" in stamps and "first_submitted" not in stamps:
        stamps["first_submitted"] = stamps["submitted"]
