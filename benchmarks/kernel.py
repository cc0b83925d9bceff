"""The driver's side of a real Jupyter kernel (jupyter_client): start one in a fresh HOME,
run code in it, and read every comm message it sends, as a frontend would."""

from __future__ import annotations

import ast
import json
import os
import queue
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from jupyter_client.manager import start_new_kernel

BENCHMARKS = Path(__file__).resolve().parent  # holds kernel_side/, the kernels' own code


def kernel_side(benchmark: str) -> str:
    """Code that makes ``k`` in a kernel this benchmark's module of kernel_side/."""
    return (
        f"import sys; sys.path.insert(0, {str(BENCHMARKS)!r})\n"
        f"from kernel_side import {benchmark} as k\n"
    )


def environment(home: Path) -> dict[str, str]:
    """This environment with ``home`` as HOME (Ganga's Local jobs use HOME) and this venv's
    Python first on PATH."""
    env = {**os.environ, "HOME": str(home)}
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    return env


def start(prefix: str = "gw-bench-", workdir: Path | None = None) -> tuple[Path, Any, Any]:
    """A kernel of this venv with ``workdir`` (default: a new temporary directory) as its
    HOME and working directory: (that directory, kernel manager, client)."""
    workdir = workdir or Path(tempfile.mkdtemp(prefix=prefix))
    env = environment(workdir)
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(workdir), env=env)
    return workdir, manager, client


class Wire:
    """Every comm message from the kernel (open, update, custom), with arrival time and size."""

    def __init__(self, client: Any) -> None:
        # (arrival time, comm id, bytes, state or content, method, time sent by the kernel)
        self.messages: list[tuple[float, str, int, dict, str, float]] = []
        self._client = client
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                msg = self._client.get_iopub_msg(timeout=0.2)
            except queue.Empty:
                continue
            if msg["msg_type"] not in ("comm_msg", "comm_open"):
                continue
            arrived = time.time()
            data = msg["content"].get("data", {})
            method = "open" if msg["msg_type"] == "comm_open" else data.get("method")
            size = len(json.dumps(msg["content"]))
            body = data.get("content", {}) if method == "custom" else data.get("state", {})
            sent = msg["header"]["date"].timestamp()  # when the kernel made the message
            comm = msg["content"]["comm_id"]
            self.messages.append((arrived, comm, size, body, method, sent))

    def of(
        self, comm_id: str, since: float = 0.0, methods: tuple[str, ...] = ("update",)
    ) -> list[tuple[float, str, int, dict, str, float]]:
        return [m for m in self.messages if m[1] == comm_id and m[0] >= since and m[4] in methods]

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def run(client: Any, code: str, expressions: dict[str, str] | None = None) -> dict[str, Any]:
    """Execute code in the kernel; return the user expressions' values (as text)."""
    msg_id = client.execute(code, user_expressions=expressions or {})
    while True:
        reply = client.get_shell_msg(timeout=900)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    content = reply["content"]
    if content["status"] != "ok":
        raise RuntimeError("kernel error:\n" + "\n".join(content.get("traceback", [])))
    values = {}
    for name, value in content.get("user_expressions", {}).items():
        if value.get("status") != "ok":
            raise RuntimeError(f"{name}: {value}")
        values[name] = value["data"]["text/plain"]
    return values


def text(value: str) -> Any:
    return ast.literal_eval(value)


def evaluate(client: Any, expression: str) -> Any:
    """Evaluate an expression in the kernel; its value (a Python literal)."""
    return text(run(client, f"_value = {expression}", {"v": "_value"})["v"])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]
