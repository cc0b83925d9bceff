"""A run's function and items, serialised into a new directory before anything is submitted."""

from __future__ import annotations

import io
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable
from typing import Any

from ..ganga_adapter.refused_writes import FULL, UNWRITABLE
from . import names

# What of the kernel's environment the worker restores (Ganga's Local backend gives jobs an
# empty one). Not all of it: it is written to disk, and may hold secrets.
KERNEL_ENV = (
    "PATH",
    "LD_LIBRARY_PATH",
    "PYTHONPATH",
    "VIRTUAL_ENV",
    "CONDA_PREFIX",
    "LANG",
    "LC_ALL",
    "TZ",
    "HOME",
)


class Args:
    """Several positional and keyword arguments for one call:
    ``submit(f, [Args(1, 2, scale=3), Args(4, 5, scale=6)])`` calls ``f(1, 2, scale=3)``..."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args = args
        self.kwargs = kwargs

    def __repr__(self) -> str:
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"Args({', '.join(parts)})"


def stage(
    gangadir: str, fn: Any, items: Iterable[Any], kwargs: dict, env: dict[str, str]
) -> tuple[str, int]:
    """Serialise everything into a new directory; returns (its path, number of calls)."""
    import cloudpickle

    pickler = _refusing_files(cloudpickle)
    base = os.path.join(gangadir, names.STAGING_PARENT)
    try:
        os.makedirs(base, exist_ok=True)
        # on the gangadir's filesystem: renamed into the job's workspace once whole
        staged = tempfile.mkdtemp(prefix=names.STAGING_PREFIX, dir=base)
    except OSError as err:
        raise unwritable(gangadir, err) from err
    try:
        _dump(os.path.join(staged, names.CALL), (fn, kwargs), pickler, "fn (with kwargs)")
        os.mkdir(os.path.join(staged, names.ITEMS))
        count = 0
        for count, item in enumerate(items, start=1):
            call = item if isinstance(item, Args) else Args(item)
            path = os.path.join(staged, names.ITEMS, names.item(count - 1))
            what = f"item {count - 1} of args ({type(item).__name__})"
            _dump(path, (call.args, call.kwargs), pickler, what)
        if count == 0:
            raise ValueError("args is empty: there is nothing to run")
        for shared in (names.WORKER, names.NAMES):  # the worker reads the names beside it
            shutil.copy(os.path.join(os.path.dirname(__file__), shared), staged)
        meta = {
            "python": f"{sys.version_info[0]}.{sys.version_info[1]}",
            "python_full": platform.python_version(),
            "cloudpickle": cloudpickle.__version__,
            "executable": sys.executable,
            "function": describe(fn),
            "calls": count,
            "submitted": time.time(),
            "env": {**{k: os.environ[k] for k in KERNEL_ENV if k in os.environ}, **env},
            "sys_path": _user_paths(),
        }
        with open(os.path.join(staged, names.META), "w", encoding="utf-8") as f:
            json.dump(meta, f)
    except OSError as err:
        shutil.rmtree(staged, ignore_errors=True)
        # not a permission error of the user's own items, read meanwhile
        ours = err.errno in FULL or str(err.filename or "").startswith(staged)
        if ours and err.errno in UNWRITABLE:
            raise unwritable(gangadir, err) from err
        raise
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return staged, count


def unwritable(gangadir: str, err: OSError) -> OSError:
    """The gangadir refused a write (full, read-only, over quota...): say which directory,
    that nothing was submitted, and what to do."""
    return OSError(
        err.errno,
        f"cannot write into the gangadir {gangadir} ({err.strerror or err}): "
        "nothing was submitted. Free space there (or make it writable), then submit again",
    )


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


def workspace(job: Any) -> str:
    """``<gangadir>/workspace/<user>/LocalXML/<id>``: where Ganga keeps the job's files."""
    return os.path.dirname(os.path.normpath(job.getInputWorkspace().getPath()))


def describe(fn: Any) -> str:
    module = getattr(fn, "__module__", "") or ""
    qualname = getattr(fn, "__qualname__", type(fn).__name__)
    return qualname if module in ("__main__", "") else f"{module}.{qualname}"
