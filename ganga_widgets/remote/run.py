"""A submitted function run: its widget, its waiting, its results and errors."""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Any

from ..actions import kill
from ..dispatcher import wait_for
from ..ganga_adapter import objects
from ..jobdata import read
from ..jobdata.codes import SubjobCodes
from ..jobdata.model import snapshot
from ..kernel import in_kernel
from ..views import terminal, watch
from ..vocabulary.protocols import GangaJob
from ..vocabulary.status import FAILED, FINAL, job_status
from . import names


class RemoteError(Exception):
    """A call that failed on the batch system: the remote exception's type and message as
    text, and the traceback as it was printed there (its class need not exist here)."""

    def __init__(
        self,
        index: int,
        type: str,
        message: str,
        traceback: str = "",
        host: str = "",
        note: str = "",
    ) -> None:
        super().__init__(index, type, message)
        self.index = index
        self.type = type
        self.message = message
        self.traceback = traceback
        self.host = host
        self.note = note

    def __str__(self) -> str:
        text = f"call {self.index} raised {self.type}: {self.message}"
        if self.note:
            text += f" ({self.note})"
        if self.traceback:
            where = f" on {self.host}" if self.host else ""
            text += f"\n\nremote traceback{where}:\n{self.traceback.rstrip()}"
        return text


class Run:
    """A submitted function run: shows as the job's live widget; gives back results.

    Values are read from the subjobs' output files when asked for, never kept here."""

    def __init__(self, job: GangaJob, count: int | None = None) -> None:
        self._job = job
        self._widget: Any = None
        self._count = count  # known before the subjobs exist (a submission under way)
        self._submission: threading.Thread | None = None  # None: submitted before it returned
        self._submission_error: BaseException | None = None

    def submit_in_background(self, submit: Any, *args: Any) -> None:
        """``submit(*args)`` on a thread of its own; ``submitted()`` waits for it."""
        self._submission = threading.Thread(
            target=self._submitted_by, args=(submit, *args), name=f"submit job {self.id}"
        )  # not a daemon: an ending interpreter lets it finish before Ganga shuts down
        self._submission.start()

    def _submitted_by(self, submit: Any, *args: Any) -> None:
        """The submission thread's body: keeps its error for the waiting side."""
        try:
            submit(*args)
        except BaseException as error:  # raised again where it is waited for; the widget says it
            self._submission_error = error

    def submitted(self, timeout: float | None = None) -> Run:
        """Block until every call is submitted (at once unless ``submit()`` returned before
        that); raises the submission's error if it failed."""
        thread = self._submission
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                raise TimeoutError(f"after {timeout} s job {self.id} is still being submitted")
        error = self._submission_error
        if error is not None:
            raise RuntimeError(
                f"submitting job {self.id} failed, nothing of it runs: {error}"
            ) from error
        return self

    @property
    def job(self) -> Any:
        """The Ganga job."""
        return objects.public(self._job)

    @property
    def id(self) -> int:
        return self._job.id

    def __len__(self) -> int:
        return self._count if self._count is not None else len(self._job.subjobs)

    @property
    def status(self) -> str:
        return job_status(self._job.status, self.counts())

    def counts(self) -> dict[str, int]:
        return SubjobCodes(objects.subjob_statuses(self._job)).counts()

    # -- waiting ----------------------------------------------------------------------------

    def wait(self, timeout: float | None = None, progress: bool = True) -> Run:
        """Block until every call has ended (completed, failed or killed), showing progress.
        An interrupt (Ctrl-C, the notebook's stop button) stops the waiting, not the job."""
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            self.submitted(timeout)
            if deadline is not None:
                timeout = max(0.0, deadline - time.monotonic())
            if progress and not in_kernel():
                watch.follow(self._job, timeout)  # a live view in the terminal
            else:
                if progress:
                    from IPython.display import display

                    display(self.widget)  # it updates by itself while this cell waits
                self._wait_for(lambda: self._job.status in FINAL, timeout, "the job to end")
        except KeyboardInterrupt:
            print(
                f"Stopped waiting; job {self.id} goes on (run.cancel() stops it).",
                file=sys.stderr,
            )
            raise
        return self

    def _wait_for(self, done: Any, timeout: float | None, what: str) -> None:
        wait_for(self._job.id, done, timeout, f"{what} (job {self.id})")

    # -- results ----------------------------------------------------------------------------

    def result(self, index: int, timeout: float | None = None) -> Any:
        """The value call ``index`` returned, once it has ended; raises its RemoteError."""
        self.submitted(timeout)
        subjob = self._subjob(index)
        self._wait_for(lambda: subjob.status in FINAL, timeout, f"call {index}")
        outcome = self._outcome(index)
        if isinstance(outcome, RemoteError):
            raise outcome
        return outcome

    def results(self, timeout: float | None = None) -> list[Any]:
        """Every call's value, in the order of ``args``, once all have ended. If any call
        failed, raises the RemoteError of the first, saying how many failed."""
        self.wait(timeout=timeout, progress=False)
        values: list[Any] = []
        failed: list[RemoteError] = []
        for index in range(len(self)):
            outcome = self._outcome(index)
            (failed if isinstance(outcome, RemoteError) else values).append(outcome)
        if failed:
            first = failed[0]
            first.note = (
                f"{len(failed)} of {len(self)} calls failed: "
                f"{', '.join(str(e.index) for e in failed[:20])}"
                f"{', ...' if len(failed) > 20 else ''}; run.exceptions() has them all"
            )
            raise first
        return values

    def exceptions(self) -> dict[int, RemoteError]:
        """The errors of the calls that failed so far, by index (does not wait)."""
        statuses = objects.subjob_statuses(self._job)
        failed = [i for i, s in enumerate(statuses) if s in FAILED or s == "killed"]
        return {i: self._outcome(i) for i in failed}

    def statistics(self) -> dict[str, Any]:
        """Run statistics of the calls (see ``JobWidget.statistics``)."""
        return dict(self.widget.statistics())

    def cancel(self) -> str:
        """Kill what is still running or queued; returns what happened. A submission still
        under way is let finish first (Ganga cannot kill a job it is submitting)."""
        try:
            self.submitted()
        except RuntimeError as error:  # nothing of it runs
            return str(error)
        return kill(self._job).message

    def _subjob(self, index: int) -> Any:
        if not isinstance(index, int) or not 0 <= index < len(self):
            raise IndexError(f"job {self.id} has calls 0 to {len(self) - 1}; no call {index!r}")
        return self._job.subjobs[index]

    def _outcome(self, index: int) -> Any:
        """The value of an ended call, or its RemoteError."""
        subjob = self._subjob(index)
        outputdir = read.outputdir(subjob)
        error = read.call_error(subjob)
        if subjob.status == "killed":
            return RemoteError(index, "Killed", "the call was killed before it finished")
        if error is not None:
            return RemoteError(
                index,
                error.get("type", "?"),
                error.get("message", ""),
                error.get("traceback", ""),
                error.get("host", ""),
            )
        path = os.path.join(outputdir, names.CALL_RESULT)
        has_result = os.path.exists(path) and os.path.getsize(path) > 0
        if subjob.status in FAILED or not has_result:
            tail = read.stderr_tail(subjob, max_lines=20)
            left = f"job {subjob.status}, exit code {read.exit_code(subjob)}"
            return RemoteError(
                index, "WorkerDied", f"the call left no result ({left})", tail["text"]
            )
        import cloudpickle

        with open(path, "rb") as f:
            return cloudpickle.load(f)

    # -- display ----------------------------------------------------------------------------

    @property
    def widget(self) -> Any:
        """The job's JobWidget (one per Run)."""
        if self._widget is None:
            from ..widgets.job import JobWidget  # the widget shows runs: imported when shown

            self._widget = JobWidget(self._job)
        return self._widget

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def _display_(self) -> Any:
        """marimo's display protocol: a run shows as its JobWidget there too."""
        return self.widget

    def __rich__(self) -> Any:
        """rich's protocol: ``Console().print(run)`` draws the job as it is now (no widget
        is made)."""
        return terminal.job_view(snapshot(self._job))

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {k}" for k, n in self.counts().items())
        return f"Run(job {self.id} {self._job.name!r}: {len(self)} calls, {counts})"
