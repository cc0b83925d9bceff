"""submit(fn, args): run a Python function over a list of arguments as one Ganga job.

One subjob per item. The function and every item are serialised with cloudpickle (a
function defined in the notebook by value, one from an installed module by reference) and
staged, with a small stand-alone worker (``worker.py``), in the job's own workspace. Each
subjob runs the worker; the call's value or error comes back as files in the subjob's
output directory, so results outlive the kernel (see ``attach``).

Where the batch nodes share the kernel's filesystem, the worker runs on the kernel's own
Python and reads the staged files in place. Where they do not (HTCondor says so: see
``condor.pool.shares_filesystem``), HTCondor ships the worker and that call's files, the
worker runs on the nodes' Python (checked first: ``preflight``), and what it writes comes
back the same way.

Everything is checked and serialised before anything is submitted: a bad argument is
refused with the culprit named, and nothing is left behind.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from .. import session
from ..ganga_adapter import objects, one_command, registry, sharing
from ..ganga_adapter.refused_writes import refused_by_disk
from ..ganga_adapter.resolve import resolve
from ..jobdata.read import backend_type
from . import names, placement, staging
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
    shared_fs: bool | None = None,
    python: str | None = None,
    container: str | None = None,
    check: bool = True,
) -> Run:
    """Run ``fn(item)`` for every item of ``args`` as one Ganga job, a subjob per item.

    ``args``: the items; an ``Args(...)`` item gives several positional/keyword arguments.
    ``backend``: a Ganga backend name ("Local", "Condor", ...) or a configured backend object.
    ``kwargs``: keyword arguments passed to every call. ``memory`` (MB) and ``cpus`` are
    requested from the batch system where it supports that (Condor); ``env`` is set for
    every call. Returns a ``Run``: it shows as the job's live widget and gives the results.

    Where the calls run (HTCondor; other backends run them on a filesystem shared with the
    kernel): ``shared_fs=True`` runs the kernel's own Python on the staged files in place;
    ``shared_fs=False`` ships them with HTCondor's file transfer; by default, the pool's
    FileSystemDomains decide. ``python``: the interpreter on the batch nodes (a path there,
    or a name on their PATH); by default the kernel's own with a shared filesystem, else
    ``python3`` (the kernel's own where it lives on CVMFS). ``container``: an image for
    HTCondor's container universe (e.g. ``docker://python:3.13``), whose ``python3`` runs
    the calls. Any interpreter but the kernel's own is checked before anything is queued
    (same Python and cloudpickle major.minor, the modules the calls import): once per
    interpreter and pool, by one tiny job; ``check=False`` skips that.

    Up to 100 items the call returns once every call is submitted, and a failed submission
    raises here. With more it returns at once: the submission goes on in the background,
    its progress shows in the widget, and its error is raised by ``wait()``, ``results()``
    and ``submitted()``.
    """
    kwargs, env = _checked(fn, args, kwargs, env, memory, cpus, python, container, shared_fs)
    gangadir = session.start().gangadir
    if sharing.refusal():
        raise RuntimeError(f"submit() cannot run in this kernel. {sharing.refusal()}")
    backend_object = registry.new_backend(backend)
    backend_impl = objects.implementation(backend_object)
    backend_name = backend_type(backend_impl)
    placement.request_resources(backend_object, backend_name, memory, cpus)
    shared_fs = placement.where_calls_run(
        backend, backend_object, backend_impl, backend_name, shared_fs, container
    )
    interpreter = python or placement.default_python(shared_fs)

    staged, count, modules = staging.stage(  # what can fail comes first
        gangadir, fn, args, kwargs, env, shared_fs=shared_fs
    )
    if check and interpreter != sys.executable:
        try:
            placement.check_interpreter(interpreter, backend_impl, backend_name, modules, gangadir)
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise
    gpi = session.gpi()
    job = None
    try:
        job = gpi.Job(
            name=name if name is not None else getattr(fn, "__name__", "call"),
            application=gpi.Executable(exe=interpreter),
            backend=backend_object,
        )
        impl = objects.implementation(job)
        _one_call_per_item(gpi, job, fn, staged, count, shared_fs)
    except BaseException as err:
        _take_back(job, staged)
        _say_plainly_if_refused(err, gangadir)
        raise
    if count <= IN_THE_CALL:
        _submit(job, staged)
        return Run(impl)
    run = Run(impl, count)
    run.submit_in_background(_submit, job, staged)
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


def _one_call_per_item(
    gpi: Any, job: Any, fn: Any, staged: str, count: int, shared_fs: bool
) -> None:
    """The staged run moved into the job's workspace; one subjob per item, each running
    the worker on its item."""
    run_dir = os.path.join(staging.workspace(objects.implementation(job)), names.RUN_DIR)
    os.makedirs(os.path.dirname(run_dir), exist_ok=True)
    os.replace(staged, run_dir)
    # The worker writes its verdict straight into the subjob's output dir (Ganga's
    # layout: <workspace>/<id>/<subjob>/output): declaring output files instead costs
    # Ganga a deep copy of them into every subjob, +50% at 1,000 subjobs on Condor.
    # Without a shared filesystem HTCondor ships every file the command names, and
    # brings back what the worker writes where it runs.
    workspace = os.path.dirname(run_dir)
    files = [os.path.join(run_dir, n) for n in (names.WORKER, names.META, names.CALL)]
    job.splitter = gpi.ArgSplitter(
        args=[
            [
                *files,
                os.path.join(run_dir, names.ITEMS, names.item(i)),
                os.path.join(workspace, str(i), "output") if shared_fs else ".",
            ]
            for i in range(count)
        ]
    )
    job.comment = f"ganga_widgets.submit: {staging.describe(fn)} over {count} items"
    job.parallel_submit = False  # Ganga's thread pool costs twice its work here


def _checked(
    fn: Any,
    args: Any,
    kwargs: Mapping[str, Any] | None,
    env: Mapping[str, str] | None,
    memory: int | None,
    cpus: int | None,
    python: str | None,
    container: str | None,
    shared_fs: bool | None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Every argument of submit() checked before anything is touched: (kwargs, env)."""
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
    for label, text in (("python", python), ("container", container)):
        if text is not None and (not isinstance(text, str) or not text.strip() or "\n" in text):
            raise ValueError(f"{label} must be a path or name (a string); got {text!r}")
    if shared_fs is not None and not isinstance(shared_fs, bool):
        raise TypeError(f"shared_fs must be True, False or None; got {shared_fs!r}")
    return kwargs, env
