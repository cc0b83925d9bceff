"""The Python a run's calls get where it is not the kernel's own, checked before anything is
queued: a mismatch is one clear error, not a thousand subjobs failing one by one.

What an interpreter is (its version, its cloudpickle, the modules it can import) is asked
once per interpreter and pool in a kernel: on HTCondor by one tiny job (a few seconds on an
idle pool), on this machine by running it. The answer is kept for the kernel's life.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import Any

from ..condor import pool
from ..ganga_adapter.one_command import arguments
from . import names
from .worker import minor, versions_match

# Printed by the interpreter asked about, as one line of JSON. Standard library only.
PROBE = """\
import json, pkgutil, platform, socket, sys
try:
    import cloudpickle
    pickler = cloudpickle.__version__
except Exception:
    pickler = None
modules = {m.name for m in pkgutil.iter_modules()} | set(sys.builtin_module_names)
print(json.dumps({
    "python": "%d.%d" % sys.version_info[:2],
    "python_full": platform.python_version(),
    "executable": sys.executable,
    "cloudpickle": pickler,
    "host": socket.gethostname(),
    "modules": sorted(modules)[:50000],
}))
"""
LOCAL_TIMEOUT = 60.0
# submit-description settings that say where a job runs (the check job runs there too), not
# what it runs or where its files go
_NOT_PLACEMENT = {"executable", "arguments", "transfer_input_files", "transfer_output_files",
                  "output", "error", "log", "initialdir", "queue", "transfer_executable",
                  "should_transfer_files", "when_to_transfer_output"}  # fmt: skip


@dataclass(frozen=True)
class Interpreter:
    """What an interpreter on the batch nodes is, as it said itself."""

    python: str  # major.minor
    python_full: str
    executable: str
    cloudpickle: str | None
    host: str
    modules: frozenset[str]


_known: dict[tuple[Any, ...], Interpreter] = {}


def refusal(python: str, backend: Any, backend_name: str, needed: set[str], gangadir: str) -> str:
    """Why the calls cannot run on ``python`` there ('' if they can): a Python or
    cloudpickle (major.minor) other than the kernel's, or modules it cannot import."""
    found = interpreter(python, backend, backend_name, gangadir)
    import cloudpickle

    kernel_python = f"{sys.version_info[0]}.{sys.version_info[1]}"
    where = f"{python} ({found.executable} on {found.host})"
    if not versions_match(found.python, found.cloudpickle, kernel_python, cloudpickle.__version__):
        return (
            f"the batch nodes' Python {where} is Python {found.python_full} with cloudpickle "
            f"{found.cloudpickle or 'not installed'}, but this kernel runs Python "
            f"{platform.python_version()} with cloudpickle {cloudpickle.__version__}: a "
            f"function defined in a notebook runs only on the same Python and cloudpickle "
            f"(major.minor). Choose an interpreter of Python {kernel_python} with cloudpickle "
            f"{minor(cloudpickle.__version__)}.x there: submit(..., python=...) or a "
            f"container image that has one (submit(..., container=...))"
        )
    missing = sorted(needed - found.modules)
    if missing:
        return (
            f"the calls import {', '.join(missing)}, which the batch nodes' Python {where} "
            f"cannot import: install {'it' if len(missing) == 1 else 'them'} there, or choose "
            f"an interpreter or container image that has {'it' if len(missing) == 1 else 'them'}"
        )
    return ""


def interpreter(python: str, backend: Any, backend_name: str, gangadir: str) -> Interpreter:
    """What ``python`` is where the backend runs jobs: asked once per kernel and place."""
    description = _probe_description(python, backend) if backend_name == "Condor" else {}
    key = (backend_name, python, tuple(sorted(description.items())), _pool())
    found = _known.get(key)
    if found is None:
        found = _known[key] = _ask(python, description, backend_name, gangadir)
    return found


def _ask(python: str, description: dict[str, str], backend_name: str, gangadir: str) -> Interpreter:
    parent = os.path.join(gangadir, names.STAGING_PARENT)
    os.makedirs(parent, exist_ok=True)
    directory = tempfile.mkdtemp(prefix="check-", dir=parent)
    try:
        with open(os.path.join(directory, "probe.py"), "w", encoding="utf-8") as f:
            f.write(PROBE)
        if backend_name == "Condor":
            out = pool.run_probe(description, directory)
        else:
            out = _run_here(python, directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    try:
        said = json.loads(out.strip().splitlines()[-1])
        return Interpreter(
            python=str(said["python"]),
            python_full=str(said["python_full"]),
            executable=str(said["executable"]),
            cloudpickle=said["cloudpickle"],
            host=str(said["host"]),
            modules=frozenset(said["modules"]),
        )
    except (ValueError, KeyError, TypeError, IndexError) as err:
        raise pool.ProbeFailed(
            f"{python} gave no answer one could read ({err}): {out[:300]!r}"
        ) from None


def _run_here(python: str, directory: str) -> str:
    try:
        done = subprocess.run(
            [python, "probe.py"], cwd=directory, capture_output=True, timeout=LOCAL_TIMEOUT
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise pool.ProbeFailed(f"cannot run {python} here: {err}") from None
    if done.returncode != 0:
        raise pool.ProbeFailed(f"{python} failed: {done.stderr.decode(errors='replace')[-500:]}")
    return done.stdout.decode(errors="replace")


def _probe_description(python: str, backend: Any) -> dict[str, str]:
    """A job that runs PROBE with ``python`` where the backend's jobs would run."""
    options = {str(k): str(v) for k, v in dict(backend.cdf_options or {}).items()}
    description = {k: v for k, v in options.items() if k.lower() not in _NOT_PLACEMENT}
    description.update(
        universe=str(backend.universe),
        executable="/usr/bin/env",  # finds a bare name on the node's PATH, as the job does
        transfer_executable="false",
        arguments=arguments([python, "probe.py"]),
        transfer_input_files="probe.py",
        getenv=str(backend.getenv),
    )
    requirements = backend.requirements.convert()
    if requirements:
        description["requirements"] = requirements
    if backend.accounting_group:
        description["accounting_group"] = str(backend.accounting_group)
    return description


def _pool() -> str:
    """Which pool this kernel submits to (its configuration may change in a kernel)."""
    return os.environ.get("CONDOR_CONFIG", "") + "|" + os.environ.get("_CONDOR_COLLECTOR_HOST", "")
