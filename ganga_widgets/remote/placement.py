"""Where submit()'s calls run: the backend asked for what they need (memory, cores, a
container), on a filesystem shared with the kernel or not, by which interpreter (checked
on the nodes first)."""

from __future__ import annotations

import sys
from typing import Any

from ..condor import bindings as condor
from ..condor import pool
from . import preflight


def request_resources(backend: Any, name: str, memory: int | None, cpus: int | None) -> None:
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


def where_calls_run(
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
        in_container(backend_object, container)
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


def check_interpreter(
    python: str, backend: Any, backend_name: str, modules: set[str], gangadir: str
) -> None:
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


def default_python(shared_fs: bool) -> str:
    """The kernel's own Python where the nodes see it: with a shared filesystem, or on CVMFS
    (the same tree at the same path wherever it is mounted); else the nodes' python3."""
    if shared_fs or sys.executable.startswith("/cvmfs/"):
        return sys.executable
    return "python3"


def in_container(backend: Any, image: str) -> None:
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
