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

import os
import shutil
import sys
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from .. import session
from ..condor import bindings as condor
from ..ganga_adapter import objects, one_command, registry
from ..ganga_adapter.refused_writes import refused_by_disk
from ..ganga_adapter.resolve import resolve
from ..jobdata.read import backend_type
from . import names, staging
from .run import Run


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

    Up to 100 items the call returns once every call is submitted, and a failed submission
    raises here. With more it returns at once: the submission goes on in the background,
    its progress shows in the widget, and its error is raised by ``wait()``, ``results()``
    and ``submitted()``.
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
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value <= 0
        ):
            raise ValueError(f"{label} must be a positive whole number; got {value!r}")
    gangadir = session.start().gangadir
    backend_object = registry.new_backend(backend)
    backend_name = backend_type(objects.implementation(backend_object))
    _request_resources(backend_object, backend_name, memory, cpus)
    if backend_name == "Condor":
        problem = condor.problem()
        if problem:
            raise RuntimeError(f"cannot submit to Condor: {problem}")
        if isinstance(backend, str):
            backend_object.getenv = "True"  # the worker runs in the kernel's environment

    staged, count = staging.stage(gangadir, fn, args, kwargs, env)  # what can fail comes first
    gpi = session.gpi()
    job = None
    try:
        job = gpi.Job(
            name=name if name is not None else getattr(fn, "__name__", "call"),
            application=gpi.Executable(exe=sys.executable),
            backend=backend_object,
        )
        impl = objects.implementation(job)
        run_dir = os.path.join(staging.workspace(impl), names.RUN_DIR)
        os.makedirs(os.path.dirname(run_dir), exist_ok=True)
        os.replace(staged, run_dir)
        worker = os.path.join(run_dir, names.WORKER)
        # The worker writes its verdict straight into the subjob's output dir (Ganga's
        # layout: <workspace>/<id>/<subjob>/output): declaring output files instead costs
        # Ganga a deep copy of them into every subjob, +50% at 1,000 subjobs on Condor.
        workspace = os.path.dirname(run_dir)
        job.splitter = gpi.ArgSplitter(
            args=[
                [worker, run_dir, str(i), os.path.join(workspace, str(i), "output")]
                for i in range(count)
            ]
        )
        job.comment = f"ganga_widgets.submit: {staging.describe(fn)} over {count} items"
        job.parallel_submit = False  # Ganga's thread pool costs twice its work here
    except BaseException as err:
        _take_back(job, staged)
        _say_plainly_if_refused(err, gangadir)
        raise
    if count <= IN_THE_CALL:
        _submit(job, staged)
        return Run(impl)
    run = Run(impl, count)
    run._submission = threading.Thread(
        target=run._submitted_by, args=(_submit, job, staged), name=f"submit job {impl.id}"
    )  # not a daemon: an ending interpreter lets it finish before Ganga shuts down
    run._submission.start()
    return run


# Up to this many items submit() returns once all are submitted (a second or so); beyond,
# it returns at once and the job's widget shows the submission's progress.
IN_THE_CALL = 100


def _submit(job: Any, staged: str) -> None:
    try:
        # every subjob runs the worker: split from one template; on Condor, one cluster
        with one_command.scope(objects.implementation(job)):
            job.submit()
    except BaseException as err:
        _take_back(job, staged)
        _say_plainly_if_refused(err, session.start().gangadir)
        raise


def _take_back(job: Any, staged: str) -> None:
    """After a failed submission: nothing left behind."""
    shutil.rmtree(staged, ignore_errors=True)
    if job is not None and job.status == "new":  # never submitted: take it away again
        try:
            job.remove()
        except Exception as err:  # e.g. the registry is read-only: the error says so
            if refused_by_disk(err) is None:
                raise


def _say_plainly_if_refused(err: BaseException, gangadir: str) -> None:
    """A write the gangadir refused is raised as such: which directory, what to do."""
    refused = refused_by_disk(err)
    if refused is not None:
        raise staging.unwritable(gangadir, refused) from err


def attach(job: Any) -> Run:
    """The ``Run`` of a job made by ``submit()`` (e.g. after a kernel restart): a Ganga job
    or its id."""
    session.start()
    impl = resolve(job)
    master = impl.master if impl.master is not None else impl
    if not os.path.isfile(os.path.join(staging.workspace(master), names.RUN_DIR, names.META)):
        raise ValueError(f"job {master.id} was not made by ganga_widgets.submit()")
    return Run(master)


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
    asked = {"request_memory": memory, "request_cpus": cpus}
    wanted = {k: str(v) for k, v in asked.items() if v is not None}
    if not wanted:
        return
    if name != "Condor":
        what = " and ".join(k.replace("request_", "") + "=" for k in wanted)
        raise ValueError(
            f"the {name} backend cannot be asked for {what} by submit() (only Condor can): "
            f"leave {what} out, or configure the backend object yourself"
        )
    options = dict(backend.cdf_options or {})
    for key, value in wanted.items():
        if key in options and str(options[key]) != value:
            raise ValueError(
                f"the Condor backend given already sets {key}={options[key]}; "
                f"submit() was asked for {value}: give it once"
            )
        options[key] = value
    backend.cdf_options = options
