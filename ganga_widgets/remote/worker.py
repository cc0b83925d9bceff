"""Runs one call of a function submitted with ``ganga_widgets.submit()``, on a batch node.

Usage (by the job, not by hand):
    python worker.py <meta.json> <call.pkl> <item.pkl> <output dir>

Stand-alone on purpose: it imports nothing of ganga_widgets (a copy is staged with each run)
and nothing beyond the standard library and cloudpickle. Every file it reads is named on its
command line, so that where the batch nodes share no filesystem with the kernel, HTCondor
can ship exactly those (and the command names them as they arrive, beside the worker). It
writes, in the output directory:
- ``gw-result.pkl``: the call's return value (cloudpickle), when it returned;
- ``gw-error.json``: ``null`` when it returned, else what went wrong as plain data (type,
  message, traceback text), readable without the remote exception's class.
Both exist from the first instant, so a worker that is killed still leaves a verdict.
Exit status: 0 when the call returned, 1 when it raised, 3 when it could not even start.
"""

from __future__ import annotations

import json
import os
import platform
import re
import socket
import sys
import traceback

RESULT = "gw-result.pkl"
ERROR = "gw-error.json"
MAX_TRACEBACK = 64 * 1024


def main(meta_file: str, call_file: str, item_file: str, outdir: str) -> int:
    meta_file, call_file, item_file = (
        os.path.abspath(p) for p in (meta_file, call_file, item_file)
    )
    os.makedirs(outdir, exist_ok=True)
    os.chdir(outdir)  # results are written here, beside the job's stdout and stderr
    _write_error(
        "WorkerDied",
        "the worker stopped before the call finished (killed, out of memory, time limit?)",
    )
    open(RESULT, "wb").close()
    with open(meta_file, encoding="utf-8") as f:
        meta = json.load(f)
    mismatch = _version_mismatch(meta)  # before anything of the kernel's is put on sys.path
    if mismatch:
        return _fail("VersionMismatch", mismatch, "", status=3)
    for key, value in meta.get("env", {}).items():
        os.environ[key] = value
    sys.path[:0] = [p for p in meta.get("sys_path", []) if p not in sys.path]
    try:
        import cloudpickle
    except ImportError as err:
        return _fail(
            "ImportError",
            f"the worker's Python ({sys.executable}) cannot import cloudpickle: {err}",
            "",
            status=3,
        )

    try:
        with open(call_file, "rb") as f:
            fn, constant_kwargs = cloudpickle.load(f)
        with open(item_file, "rb") as f:
            args, kwargs = cloudpickle.load(f)
    except Exception as err:
        return _fail(type(err).__name__, _loading_message(err), traceback.format_exc(), 3)

    try:
        value = fn(*args, **{**constant_kwargs, **kwargs})
    except BaseException as err:  # the call's own failure, whatever it is
        own = err.__traceback__.tb_next if err.__traceback__ else None  # not this frame
        trace = with_sources("".join(traceback.format_exception(type(err), err, own)), meta)
        return _fail(_qualified(type(err)), str(err), trace, status=1)

    try:
        data = cloudpickle.dumps(value)
    except Exception as err:
        return _fail(
            type(err).__name__,
            f"the call returned a {type(value).__name__}, which cannot be sent back: {err}",
            traceback.format_exc(),
            1,
        )
    _atomic_write(RESULT, data)
    _atomic_write(ERROR, b"null")
    return 0


def versions_match(
    python: str, pickler: str | None, kernel_python: str, kernel_pickler: str
) -> bool:
    """Whether a function pickled by the kernel loads here: the same Python major.minor
    (bytecode), and the same cloudpickle major.minor (its format changes only there)."""
    return python == kernel_python and minor(pickler) == minor(kernel_pickler)


def minor(version: str | None) -> str:
    """``3.1`` of ``3.1.3``."""
    return ".".join((version or "").split(".")[:2])


def _version_mismatch(meta: dict) -> str:
    here = f"{sys.version_info[0]}.{sys.version_info[1]}"
    try:
        import cloudpickle

        pickler = cloudpickle.__version__
    except ImportError:
        pickler = None
    if versions_match(here, pickler, meta.get("python", "?"), meta.get("cloudpickle", "?")):
        return ""
    return (
        f"the worker runs Python {platform.python_version()} ({sys.executable}) with "
        f"cloudpickle {pickler or 'not installed'}, but the kernel that submitted the job "
        f"runs Python {meta.get('python_full')} with cloudpickle {meta.get('cloudpickle')}: a "
        "function defined in a notebook runs only on the same Python and cloudpickle "
        "(major.minor). Submit with an interpreter that has them (submit(..., python=...))."
    )


def _loading_message(err: Exception) -> str:
    if isinstance(err, ModuleNotFoundError) and err.name:
        return (
            f"the function or its arguments need module {err.name!r}, which the worker's "
            f"Python ({sys.executable}) cannot import: install it where the jobs run"
        )
    return f"cannot load the function or its arguments: {err}"


# A frame of a function sent by value: cloudpickle names its file so, and the node has no
# source for it. The kernel sent the source along (meta's "sources").
_DYNAMIC_FRAME = re.compile(r'^  File "<dynamic-code>", line (\d+), in (.+)$')


def with_sources(trace: str, meta: dict) -> str:
    """The traceback with the source line under each frame of a function sent by value."""
    sources = meta.get("sources") or {}
    out = []
    for line in trace.splitlines(keepends=True):
        out.append(line)
        found = _DYNAMIC_FRAME.match(line.rstrip("\n"))
        source = sources.get(found.group(2)) if found else None
        if source:
            index = int(found.group(1)) - int(source.get("first", 0))  # type: ignore[union-attr]
            lines = source.get("lines", [])
            if 0 <= index < len(lines) and lines[index].strip():
                out.append("    " + lines[index].strip() + "\n")
    return "".join(out)


def _fail(kind: str, message: str, trace: str, status: int) -> int:
    _write_error(kind, message, trace)
    print(trace or f"{kind}: {message}", file=sys.stderr)  # also where users look first
    return status


def _write_error(kind: str, message: str, trace: str = "") -> None:
    record = {
        "type": kind,
        "message": message,
        "traceback": trace[-MAX_TRACEBACK:],
        "host": socket.gethostname(),
        "python": platform.python_version(),
    }
    _atomic_write(ERROR, json.dumps(record).encode("utf-8"))


def _atomic_write(path: str, data: bytes) -> None:
    partial = path + ".partial"
    with open(partial, "wb") as f:
        f.write(data)
    os.replace(partial, path)


def _qualified(cls: type) -> str:
    module = cls.__module__
    return (
        cls.__qualname__ if module in ("builtins", "__main__") else f"{module}.{cls.__qualname__}"
    )


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
