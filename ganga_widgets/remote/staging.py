"""A run's function and items, serialised into a new directory before anything is submitted."""

from __future__ import annotations

import contextlib
import functools
import inspect
import io
import json
import os
import pickletools
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
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
    gangadir: str,
    fn: Any,
    items: Iterable[Any],
    kwargs: dict,
    env: dict[str, str],
    shared_fs: bool = True,
) -> tuple[str, int, set[str]]:
    """Serialise everything into a new directory; returns (its path, the number of calls,
    the modules the calls import by name: see ``imported_modules``). Without a shared
    filesystem the calls get none of the kernel's environment or import path, only
    ``env``; the modules beside the notebook that the function uses travel in its pickle."""
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
        modules: set[str] = set()
        dump = functools.partial(_dump, pickler=pickler, modules=modules)
        call_file = os.path.join(staged, names.CALL)
        dump(call_file, (fn, kwargs), what="fn (with kwargs)")
        by_value = [] if shared_fs else _beside_the_notebook(modules)
        with _pickled_by_value(cloudpickle, by_value):
            if by_value:  # again, with them inside
                modules.clear()
                dump(call_file, (fn, kwargs), what="fn (with kwargs)")
            os.mkdir(os.path.join(staged, names.ITEMS))
            count = 0
            for count, item in enumerate(items, start=1):
                call = item if isinstance(item, Args) else Args(item)
                path = os.path.join(staged, names.ITEMS, names.item(count - 1))
                what = f"item {count - 1} of args ({type(item).__name__})"
                dump(path, (call.args, call.kwargs), what=what)
        if count == 0:
            raise ValueError("args is empty: there is nothing to run")
        shutil.copy(os.path.join(os.path.dirname(__file__), names.WORKER), staged)
        kernel_env = {k: os.environ[k] for k in KERNEL_ENV if k in os.environ}
        meta = {
            "python": f"{sys.version_info[0]}.{sys.version_info[1]}",
            "python_full": platform.python_version(),
            "cloudpickle": cloudpickle.__version__,
            "executable": sys.executable,
            "function": describe(fn),
            "sources": sources(fn),
            "calls": count,
            "submitted": time.time(),
            "env": {**kernel_env, **env} if shared_fs else env,
            "sys_path": _user_paths() if shared_fs else [],
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
    return staged, count, modules


def unwritable(gangadir: str, err: OSError) -> OSError:
    """The gangadir refused a write (full, read-only, over quota...): say which directory,
    that nothing was submitted, and what to do."""
    return OSError(
        err.errno,
        f"cannot write into the gangadir {gangadir} ({err.strerror or err}): "
        "nothing was submitted. Free space there (or make it writable), then submit again",
    )


SOURCES_BYTES = 64 * 1024  # of source text sent along with a run, at most
SOURCES_FUNCTIONS = 100


def sources(fn: Any) -> dict[str, dict[str, Any]]:
    """The source of ``fn`` and of the functions of its module it calls, by name, for the
    worker's tracebacks: a function sent by value has no source file on the node. Bounded."""
    found: dict[str, dict[str, Any]] = {}
    size = 0
    todo, seen = [fn], set()
    while todo and len(found) < SOURCES_FUNCTIONS:
        function = todo.pop()
        code = getattr(function, "__code__", None)
        if code is None or id(code) in seen:
            continue
        seen.add(id(code))
        codes = [code]
        while codes:  # with the functions defined inside it
            current = codes.pop()
            codes += [c for c in current.co_consts if inspect.iscode(c)]
            try:
                lines, first = inspect.getsourcelines(current)
            except (OSError, TypeError):
                continue
            text = [line.rstrip("\n") for line in lines]
            size += sum(len(line) for line in text)
            if size > SOURCES_BYTES:
                return found
            found.setdefault(current.co_name, {"first": first, "lines": text})
        names = getattr(function, "__globals__", {})
        for name in code.co_names:  # its module's functions it calls: sent the same way
            called = names.get(name)
            if inspect.isfunction(called) and called.__module__ == function.__module__:
                todo.append(called)
    return found


def _beside_the_notebook(modules: set[str]) -> list[Any]:
    """Those of these modules (imported by name) that are not installed but found on the
    kernel's own import path (beside the notebook, say): no batch node has them."""
    import cloudpickle

    paths = [p + os.sep for p in _user_paths()]
    registered: set[str] = getattr(cloudpickle.cloudpickle, "_PICKLE_BY_VALUE_MODULES", set())
    found = []
    for name in sorted(modules):
        module = sys.modules.get(name)
        where = os.path.realpath(getattr(module, "__file__", None) or "/")
        if name not in registered and any(where.startswith(p) for p in paths):
            found.append(module)
    return found


@contextlib.contextmanager
def _pickled_by_value(cloudpickle: Any, modules: list[Any]) -> Iterator[None]:
    """Within: cloudpickle sends these modules' functions and classes by value."""
    for module in modules:
        cloudpickle.register_pickle_by_value(module)
    try:
        yield
    finally:
        for module in modules:
            cloudpickle.unregister_pickle_by_value(module)


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


def _dump(path: str, value: Any, pickler: Any, what: str, modules: set[str]) -> None:
    buffer = io.BytesIO()
    try:
        pickler(buffer).dump(value)
    except Exception as err:
        raise TypeError(f"{what} cannot be sent to the batch system: {err}") from None
    data = buffer.getvalue()
    modules |= imported_modules(data)
    with open(path, "wb") as f:
        f.write(data)


# Opcodes that push a string, and those that read or write pickle's memo.
_STRINGS = {"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE", "STRING",
            "BINSTRING", "SHORT_BINSTRING"}  # fmt: skip
_GETS = {"GET", "BINGET", "LONG_BINGET"}
_PUTS = {"PUT", "BINPUT", "LONG_BINPUT"}


def imported_modules(data: bytes) -> set[str]:
    """The top-level modules a pickle imports to load (what cloudpickle sends by name:
    installed packages), without loading it; Python's standard library and cloudpickle
    left out.

    A global is a module and a name: in the opcode, or the last two strings pushed (maybe
    from the memo) before STACK_GLOBAL. A module a function uses as a global is sent as a
    call of cloudpickle's ``subimport`` on its name: the next string pushed."""
    found: set[str] = set()
    memo: dict[Any, Any] = {}
    last: Any = None
    before: Any = None
    importing = False
    for op, arg, _ in pickletools.genops(data):
        if op.name == "MEMOIZE":
            memo[len(memo)] = last
            continue
        if op.name in _PUTS:
            memo[arg] = last
            continue
        if not op.stack_after:  # pushes nothing
            continue
        pushed = None
        if op.name in _STRINGS:
            pushed = arg
        elif op.name in _GETS:
            pushed = memo.get(arg)
        if importing and isinstance(pushed, str):
            found.add(pushed)
            importing = False
        module, name = None, None
        if op.name == "STACK_GLOBAL":
            module, name = before, last
        elif op.name in ("GLOBAL", "INST"):
            module, _, name = str(arg).partition(" ")
        if isinstance(module, str):
            found.add(module)
            importing = name in ("subimport", "dynamic_subimport")
        before, last = last, pushed
    tops = {name.split(".")[0] for name in found}
    return {m for m in tops if m not in sys.stdlib_module_names | {"__main__", "cloudpickle"}}


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
