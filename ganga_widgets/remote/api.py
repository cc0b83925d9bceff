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
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from .. import session
from ..condor import bindings as condor
from ..condor import pool
from ..ganga_adapter import objects, one_command, registry, sharing
from ..ganga_adapter.refused_writes import refused_by_disk
from ..ganga_adapter.resolve import resolve
from ..jobdata.read import backend_type
from . import names, preflight, staging
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
    gangadir = session.start().gangadir
    if sharing.refusal():
        raise RuntimeError(f"submit() cannot run in this kernel. {sharing.refusal()}")
    backend_object = registry.new_backend(backend)
    backend_impl = objects.implementation(backend_object)
    backend_name = backend_type(backend_impl)
    _request_resources(backend_object, backend_name, memory, cpus)
    shared_fs = _where(backend, backend_object, backend_impl, backend_name, shared_fs, container)
    interpreter = python or _default_python(shared_fs)

    staged, count, modules = staging.stage(  # what can fail comes first
        gangadir, fn, args, kwargs, env, shared_fs=shared_fs
    )
    if check and interpreter != sys.executable:
        try:
            _check(interpreter, backend_impl, backend_name, modules, gangadir)
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
        run_dir = os.path.join(staging.workspace(impl), names.RUN_DIR)
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


def _where(
    backend: Any,
    backend_object: Any,
    backend_impl: Any,
    backend_name: str,
    shared_fs: bool | None,
    container: Any,
) -> bool:
    """Whether the calls run on a filesystem shared with the kernel; sets the backend up so."""
    if backend_name != "Condor":
        if shared_fs is False or container is not None:
            what = "shared_fs=False" if shared_fs is False else "container="
            raise ValueError(
                f"the {backend_name} backend runs jobs where the kernel's files are: {what} is "
                "for HTCondor (backend='Condor')"
            )
        return True
    problem = condor.problem()
    if problem:
        raise RuntimeError(f"cannot submit to Condor: {problem}")
    if container is not None:
        _in_container(backend_object, container)
        if pool.slots("HasContainer =?= true", ["Name"]) == []:
            raise ValueError(
                "container= needs HTCondor's container universe, and no slot of this pool "
                "offers it (none advertises HasContainer): choose an interpreter on the nodes "
                "instead (python=...)"
            )
    if shared_fs is None:  # the pool cannot tell (None): as before, the kernel's filesystem
        requirements = backend_impl.requirements.convert()
        shared_fs = container is None and pool.shares_filesystem(requirements) is not False
    backend_object.shared_filesystem = shared_fs
    if isinstance(backend, str):  # the worker runs in the kernel's environment, or its own
        backend_object.getenv = "True" if shared_fs else "False"
    return shared_fs


def _check(python: str, backend: Any, backend_name: str, modules: set[str], gangadir: str) -> None:
    """Refuse an interpreter the calls cannot run on, before anything is queued."""
    try:
        refused = preflight.refusal(python, backend, backend_name, modules, gangadir)
    except pool.ProbeFailed as err:
        raise RuntimeError(
            f"cannot tell which Python {python} is on the batch nodes, so nothing was "
            f"submitted: {err}. Submit again, or with check=False to skip the check"
        ) from None
    if refused:
        raise RuntimeError(f"nothing was submitted: {refused}")


def _default_python(shared_fs: bool) -> str:
    """The kernel's own Python where the nodes see it: with a shared filesystem, or on CVMFS
    (the same tree at the same path wherever it is mounted); else the nodes' python3."""
    if shared_fs or sys.executable.startswith("/cvmfs/"):
        return sys.executable
    return "python3"


def _in_container(backend: Any, image: str) -> None:
    """HTCondor's container universe with ``image``; refused if the backend says otherwise."""
    options = dict(backend.cdf_options or {})
    given = options.get("container_image")
    if given is not None and str(given) != image:
        raise ValueError(
            f"the Condor backend given already sets container_image={given}; submit() was "
            f"asked for container={image!r}: give it once"
        )
    if backend.universe not in ("vanilla", "container"):
        raise ValueError(
            f"container= runs in HTCondor's container universe; the backend given sets "
            f"universe={backend.universe!r}"
        )
    backend.universe = "container"
    options["container_image"] = image
    backend.cdf_options = options


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
