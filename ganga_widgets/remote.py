"""submit(fn, args): run a Python function over a list of arguments as one Ganga job.

One subjob per item. The function and every item are serialised with cloudpickle (a
function defined in the notebook by value, one from an installed module by reference) and
staged, with a small stand-alone worker (``worker.py``), in the job's own workspace. Each
subjob runs the kernel's own Python on the worker; the call's value or error comes back as
files in the subjob's output directory, so results outlive the kernel (see ``attach``).

Everything is checked and serialised before anything is submitted: a bad argument is
refused with the culprit named, and nothing is left behind.
"""

from __future__ import annotations

import io
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from typing import Any

from . import actions, condor, events, jobs, session, state, terminal

RESULT = state.CALL_RESULT
ERROR = state.CALL_ERROR
RUN_DIR = "gw-run"  # in the job's workspace, beside input/ and output/: removed with the job
# What of the kernel's environment the worker restores (Ganga's Local backend gives jobs an
# empty one). Not all of it: it is written to disk, and may hold secrets.
KERNEL_ENV = ("PATH", "LD_LIBRARY_PATH", "PYTHONPATH", "VIRTUAL_ENV", "CONDA_PREFIX", "LANG",
              "LC_ALL", "TZ", "HOME")  # fmt: skip


class Args:
    """Several positional and keyword arguments for one call:
    ``submit(f, [Args(1, 2, scale=3), Args(4, 5, scale=6)])`` calls ``f(1, 2, scale=3)``..."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args = args
        self.kwargs = kwargs

    def __repr__(self) -> str:
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"Args({', '.join(parts)})"


class RemoteError(Exception):
    """A call that failed on the batch system: the remote exception's type and message as
    text, and the traceback as it was printed there (its class need not exist here)."""

    def __init__(self, index: int, type: str, message: str, traceback: str = "",
                 host: str = "", note: str = "") -> None:  # fmt: skip
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


def submit(
    fn: Any,
    args: Iterable[Any],
    backend: Any = "Local",
    *,
    name: str | None = None,
    kwargs: Mapping[str, Any] | None = None,
    memory: int | None = None,
    cpus: int | None = None,
    env: Mapping[str, str] | None = None,
) -> Run:
    """Run ``fn(item)`` for every item of ``args`` as one Ganga job, a subjob per item.

    ``args``: the items; an ``Args(...)`` item gives several positional/keyword arguments.
    ``backend``: a Ganga backend name ("Local", "Condor", ...) or a configured backend object.
    ``kwargs``: keyword arguments passed to every call. ``memory`` (MB) and ``cpus`` are
    requested from the batch system where it supports that (Condor); ``env`` is set for
    every call. Returns a ``Run``: it shows as the job's live widget and gives the results.
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable (a function); got {type(fn).__name__} {fn!r:.60}")
    if isinstance(args, (str, bytes)) or not isinstance(args, Iterable):
        raise TypeError(
            f"args must be a list (or other iterable) of the items to call fn with, one call "
            f"per item; got {type(args).__name__}"
        )
    kwargs = dict(kwargs or {})
    env = _checked_env(env)
    for label, value in (("memory", memory), ("cpus", cpus)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or value <= 0):  # fmt: skip
            raise ValueError(f"{label} must be a positive whole number; got {value!r}")
    session.start()
    backend_object = session.new_backend(backend)
    backend_name = state.backend_type(session.implementation(backend_object))
    _request_resources(backend_object, backend_name, memory, cpus)
    if backend_name == "Condor":
        problem = condor.problem()
        if problem:
            raise RuntimeError(f"cannot submit to Condor: {problem}")
        if isinstance(backend, str):
            backend_object.getenv = "True"  # the worker runs in the kernel's environment

    staged, count = _stage(fn, args, kwargs, env)  # all checks that can fail come first
    gpi = session.gpi()
    job = gpi.Job(
        name=name if name is not None else getattr(fn, "__name__", "call"),
        application=gpi.Executable(exe=sys.executable),
        backend=backend_object,
    )
    impl = session.implementation(job)
    run_dir = os.path.join(_workspace(impl), RUN_DIR)
    try:
        os.makedirs(os.path.dirname(run_dir), exist_ok=True)
        os.replace(staged, run_dir)
        worker = os.path.join(run_dir, "worker.py")
        # The worker writes its verdict straight into the subjob's output dir (Ganga's
        # layout: <workspace>/<id>/<subjob>/output): declaring output files instead costs
        # Ganga a deep copy of them into every subjob, +50% at 1,000 subjobs on Condor.
        workspace = os.path.dirname(run_dir)
        job.splitter = gpi.ArgSplitter(args=[
            [worker, run_dir, str(i), os.path.join(workspace, str(i), "output")]
            for i in range(count)
        ])  # fmt: skip
        job.comment = f"ganga_widgets.submit: {_describe(fn)} over {count} items"
        job.submit()
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        if job.status == "new":  # never submitted: take it away again
            job.remove()
        raise
    return Run(impl)


def attach(job: Any) -> Run:
    """The ``Run`` of a job made by ``submit()`` (e.g. after a kernel restart): a Ganga job
    or its id."""
    impl = jobs.resolve(job)
    master = impl.master if impl.master is not None else impl
    if not os.path.isfile(os.path.join(_workspace(master), RUN_DIR, "meta.json")):
        raise ValueError(f"job {master.id} was not made by ganga_widgets.submit()")
    return Run(master)


class Run:
    """A submitted function run: shows as the job's live widget; gives back results.

    Values are read from the subjobs' output files when asked for, never kept here."""

    def __init__(self, job: Any) -> None:
        self._job = job
        self._widget: Any = None

    @property
    def job(self) -> Any:
        """The Ganga job."""
        return session.public(self._job)

    @property
    def id(self) -> int:
        return self._job.id

    def __len__(self) -> int:
        return len(self._job.subjobs)

    @property
    def status(self) -> str:
        return state.job_status(self._job.status, self.counts())

    def counts(self) -> dict[str, int]:
        return state.SubjobCodes(state.subjob_statuses(self._job)).counts()

    # -- waiting ----------------------------------------------------------------------------

    def wait(self, timeout: float | None = None, progress: bool = True) -> Run:
        """Block until every call has ended (completed, failed or killed), showing progress.
        An interrupt (Ctrl-C, the notebook's stop button) stops the waiting, not the job."""
        try:
            if progress and not session._in_kernel():
                terminal.follow(self._job, timeout)  # a live view in the terminal
            else:
                if progress:
                    from IPython.display import display

                    display(self.widget)  # it updates by itself while this cell waits
                self._wait_for(lambda: self._job.status in state.FINAL, timeout, "the job to end")
        except KeyboardInterrupt:
            print(
                f"Stopped waiting; job {self.id} goes on (run.cancel() stops it).",
                file=sys.stderr,
            )
            raise
        return self

    def _wait_for(self, done: Any, timeout: float | None, what: str) -> None:
        events.wait_for(self._job.id, done, timeout, f"{what} (job {self.id})")

    # -- results ----------------------------------------------------------------------------

    def result(self, index: int, timeout: float | None = None) -> Any:
        """The value call ``index`` returned, once it has ended; raises its RemoteError."""
        subjob = self._subjob(index)
        self._wait_for(lambda: subjob.status in state.FINAL, timeout, f"call {index}")
        outcome = self._outcome(index)
        if isinstance(outcome, RemoteError):
            raise outcome
        return outcome

    def results(self, timeout: float | None = None) -> list[Any]:
        """Every call's value, in the order of ``args``, once all have ended. If any call
        failed, raises the RemoteError of the first, saying how many failed."""
        self.wait(timeout=timeout, progress=False)
        values, failed = [], []
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
        statuses = state.subjob_statuses(self._job)
        failed = [i for i, s in enumerate(statuses) if s in state.FAILED or s == "killed"]
        return {i: self._outcome(i) for i in failed}  # type: ignore[misc]

    def cancel(self) -> str:
        """Kill what is still running or queued; returns what happened."""
        return actions.kill(self._job).message

    def _subjob(self, index: int) -> Any:
        if not isinstance(index, int) or not 0 <= index < len(self):
            raise IndexError(f"job {self.id} has calls 0 to {len(self) - 1}; no call {index!r}")
        return self._job.subjobs[index]

    def _outcome(self, index: int) -> Any:
        """The value of an ended call, or its RemoteError."""
        subjob = self._subjob(index)
        outputdir = state.outputdir(subjob)
        error = state.call_error(subjob)
        if subjob.status == "killed":
            return RemoteError(index, "Killed", "the call was killed before it finished")
        if error is not None:
            return RemoteError(index, error.get("type", "?"), error.get("message", ""),
                               error.get("traceback", ""), error.get("host", ""))  # fmt: skip
        path = os.path.join(outputdir, RESULT)
        has_result = os.path.exists(path) and os.path.getsize(path) > 0
        if subjob.status in state.FAILED or not has_result:
            tail = state.stderr_tail(subjob, max_lines=20)
            left = f"job {subjob.status}, exit code {state.exit_code(subjob)}"
            return RemoteError(index, "WorkerDied", f"the call left no result ({left})",
                               tail["text"])  # fmt: skip
        import cloudpickle

        with open(path, "rb") as f:
            return cloudpickle.load(f)

    # -- display ----------------------------------------------------------------------------

    @property
    def widget(self) -> Any:
        """The job's JobWidget (one per Run)."""
        if self._widget is None:
            from .widgets.job import JobWidget

            self._widget = JobWidget(self._job)
        return self._widget

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {k}" for k, n in self.counts().items())
        return f"Run(job {self.id} {self._job.name!r}: {len(self)} calls, {counts})"


# -- staging ----------------------------------------------------------------------------------


def _stage(fn: Any, items: Iterable[Any], kwargs: dict, env: dict[str, str]) -> tuple[str, int]:
    """Serialise everything into a new directory; returns (its path, number of calls)."""
    import cloudpickle

    pickler = _refusing_files(cloudpickle)
    base = os.path.join(session.current().gangadir, "ganga_widgets")
    os.makedirs(base, exist_ok=True)
    staged = tempfile.mkdtemp(prefix="staging-", dir=base)  # same filesystem: renamed later
    try:
        _dump(os.path.join(staged, "call.pkl"), (fn, kwargs), pickler, "fn (with kwargs)")
        os.mkdir(os.path.join(staged, "items"))
        count = 0
        for count, item in enumerate(items, start=1):
            call = item if isinstance(item, Args) else Args(item)
            _dump(os.path.join(staged, "items", f"{count - 1}.pkl"), (call.args, call.kwargs),
                  pickler, f"item {count - 1} of args ({type(item).__name__})")  # fmt: skip
        if count == 0:
            raise ValueError("args is empty: there is nothing to run")
        shutil.copy(os.path.join(os.path.dirname(__file__), "worker.py"), staged)
        meta = {
            "python": f"{sys.version_info[0]}.{sys.version_info[1]}",
            "python_full": platform.python_version(),
            "cloudpickle": cloudpickle.__version__,
            "executable": sys.executable,
            "function": _describe(fn),
            "calls": count,
            "submitted": time.time(),
            "env": {**{k: os.environ[k] for k in KERNEL_ENV if k in os.environ}, **env},
            "sys_path": _user_paths(),
        }
        with open(os.path.join(staged, "meta.json"), "w", encoding="utf-8") as f:
            json.dump(meta, f)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return staged, count


def _user_paths() -> list[str]:
    """The kernel's import path minus Python's own (stdlib, site-packages): modules beside
    the notebook then import on the node, and the node's Python keeps its own packages."""
    own = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    paths = []
    for entry in sys.path:
        path = os.path.realpath(entry or ".")
        if os.path.isdir(path) and not any(path.startswith(p + os.sep) or path == p for p in own):
            paths.append(path)
    return paths


def _dump(path: str, value: Any, pickler: Any, what: str) -> None:
    buffer = io.BytesIO()
    try:
        pickler(buffer).dump(value)
    except Exception as err:
        raise TypeError(f"{what} cannot be sent to the batch system: {err}") from None
    with open(path, "wb") as f:
        f.write(buffer.getvalue())


def _refusing_files(cloudpickle: Any) -> Any:
    """cloudpickle's pickler, except that it refuses open files: it would send a copy of
    their content, not the file, and the call would quietly work on something else."""

    class Pickler(cloudpickle.CloudPickler):
        def reducer_override(self, obj: Any) -> Any:
            if isinstance(obj, io.IOBase):
                name = getattr(obj, "name", "?")
                raise TypeError(f"cannot send an open file ({name!r}): send its path instead")
            return super().reducer_override(obj)

    return Pickler


def _checked_env(env: Mapping[str, str] | None) -> dict[str, str]:
    if env is None:
        return {}
    if not isinstance(env, Mapping):
        raise TypeError(f"env must be a dict of environment variables; got {type(env).__name__}")
    bad = [k for k, v in env.items() if not isinstance(k, str) or not isinstance(v, str)]
    if bad:
        raise TypeError(f"env names and values must be strings; not for {bad[0]!r}")
    return dict(env)


def _request_resources(backend: Any, name: str, memory: int | None, cpus: int | None) -> None:
    """Map memory/cpus onto the backend, or refuse where submit() cannot ask for them."""
    wanted = {"request_memory": memory, "request_cpus": cpus}
    wanted = {k: str(v) for k, v in wanted.items() if v is not None}
    if not wanted:
        return
    if name != "Condor":
        asked = " and ".join(k.replace("request_", "") + "=" for k in wanted)
        raise ValueError(
            f"the {name} backend cannot be asked for {asked} by submit() (only Condor can): "
            f"leave {asked} out, or configure the backend object yourself"
        )
    options = dict(backend.cdf_options or {})
    for key, value in wanted.items():
        if key in options and str(options[key]) != value:
            raise ValueError(f"the Condor backend given already sets {key}={options[key]}; "
                             f"submit() was asked for {value}: give it once")  # fmt: skip
        options[key] = value
    backend.cdf_options = options


def _workspace(job: Any) -> str:
    """``<gangadir>/workspace/<user>/LocalXML/<id>``: where Ganga keeps the job's files."""
    return os.path.dirname(os.path.normpath(job.getInputWorkspace().getPath()))


def _describe(fn: Any) -> str:
    module = getattr(fn, "__module__", "") or ""
    qualname = getattr(fn, "__qualname__", type(fn).__name__)
    return qualname if module in ("__main__", "") else f"{module}.{qualname}"
