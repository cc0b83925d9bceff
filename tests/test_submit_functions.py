"""submit(fn, args): Python functions run as real Ganga jobs on Local and on the real pool."""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conditions import pid_alive, wait_until
from processes import FILL, on_a_small_disk

pytestmark = pytest.mark.ganga


def unlucky(x: int, offset: int = 0) -> int:
    """Raises for 7: one failing call among ten."""
    if x == 7:
        raise ValueError(f"seven is unlucky (x={x})")
    return x * x + offset


def _check_ten_calls_with_one_failure(run: Any) -> None:
    from ganga_widgets import RemoteError

    run.wait(progress=False)
    assert run.result(3) == 3 * 3 + 1
    [(index, error)] = run.exceptions().items()
    assert index == 7 and isinstance(error, RemoteError)
    assert error.type == "ValueError" and error.message == "seven is unlucky (x=7)"
    assert "in unlucky" in error.traceback and "raise ValueError" in error.traceback
    with pytest.raises(RemoteError) as raised:
        run.results()
    assert raised.value.index == 7 and "1 of 10 calls failed" in str(raised.value)
    with pytest.raises(RemoteError, match="seven is unlucky"):
        run.result(7)
    widget = run.widget
    assert widget.counts == {"completed": 9, "failed": 1}
    [failure] = widget.failures
    assert failure["subjob"] == 7 and failure["call_error"]["type"] == "ValueError"
    values = [run.result(i) for i in range(10) if i != 7]
    assert values == [i * i + 1 for i in range(10) if i != 7]


def test_ten_calls_on_local_one_raises(ganga: Any) -> None:
    from ganga_widgets import submit

    run = submit(unlucky, range(10), kwargs={"offset": 1}, name="ten")
    assert len(run) == 10 and run.job.name == "ten"
    _check_ten_calls_with_one_failure(run)


def test_ten_calls_on_the_htcondor_pool_one_raises(condor_ganga: Any) -> None:
    from ganga_widgets import submit

    run = submit(unlucky, range(10), backend="Condor", kwargs={"offset": 1}, memory=300)
    _check_ten_calls_with_one_failure(run)
    from ganga_widgets.condor import bindings as condor

    cluster = run.job.subjobs[0].backend.id.split(".")[0]
    ads = condor.bindings().Schedd().history(f"ClusterId == {cluster}", ["RequestMemory"], 1)
    assert [condor.value(ad, "RequestMemory") for ad in ads] == [300], "memory= not asked"


def test_lambdas_closures_and_several_arguments_per_call(ganga: Any) -> None:
    from ganga_widgets import Args, submit

    scale = 3  # a notebook variable the lambda closes over

    def make_adder(k: int) -> Any:
        return lambda x: x + k

    assert submit(lambda x: x * scale, [1, 2, 3]).results() == [3, 6, 9]
    assert submit(make_adder(10), [1, 2]).results() == [11, 12]
    calls = [Args(1, 2, c=3), Args(4, 5)]
    run = submit(lambda a, b, c=0, d=0: (a, b, c, d), calls, kwargs={"d": 9})
    assert run.results() == [(1, 2, 3, 9), (4, 5, 0, 9)]


def test_numpy_arrays_in_and_out(ganga: Any) -> None:
    from ganga_widgets import submit

    arrays = [np.arange(5, dtype=float), np.ones((2, 3))]
    results = submit(lambda a: a * 2, arrays).results()
    for got, sent in zip(results, arrays, strict=True):
        np.testing.assert_array_equal(got, sent * 2)
        assert got.dtype == sent.dtype


def test_cancel_mid_run_kills_the_processes(ganga: Any, tmp_path: Path) -> None:
    from ganga_widgets import submit

    def sleeper(i: int) -> None:
        import os
        import time

        Path(tmp_path, f"{i}.pid").write_text(str(os.getpid()))
        time.sleep(300)

    run = submit(sleeper, range(4))  # as many at once as the machine has cores: one or more
    pids = wait_until(
        lambda: [int(t) for t in (p.read_text() for p in tmp_path.glob("*.pid")) if t],
        30,
        "a call running",
    )

    message = run.cancel()

    assert "killed" in message, message
    wait_until(lambda: not any(pid_alive(p) for p in pids), 60, "the calls' processes gone")
    assert run.job.status == "killed"
    assert {e.type for e in run.exceptions().values()} == {"Killed"}


def test_cancel_on_the_pool_removes_the_jobs_from_the_schedd(condor_ganga: Any) -> None:
    from ganga_widgets import submit
    from ganga_widgets.condor import bindings as condor

    run = submit(lambda s: __import__("time").sleep(s), [120, 120, 120], backend="Condor")
    wait_until(lambda: run.widget.counts.get("running") == 2, 60, "two calls running")
    cluster = run.job.subjobs[0].backend.id.split(".")[0]

    run.cancel()

    wait_until(
        lambda: not condor.bindings().Schedd().query(f"ClusterId == {cluster}", ["ProcId"]),
        15,
        "the jobs to leave the schedd",
    )
    assert run.job.status == "killed"


def test_attach_from_a_fresh_process_gives_the_same_results(tmp_path: Path) -> None:
    gangadir = tmp_path / "gangadir"
    first_kernel = f"""
import sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
import ganga_widgets
from test_submit_functions import unlucky
ganga_widgets.start(gangadir={str(gangadir)!r})
run = ganga_widgets.submit(unlucky, range(4), kwargs={{"offset": 1}})
print("ID", run.id, "RESULTS", run.results())
"""
    proc = subprocess.run([sys.executable, "-c", first_kernel], capture_output=True, text=True,
                          timeout=180)  # fmt: skip
    line = next((x for x in proc.stdout.splitlines() if x.startswith("ID ")), "")
    assert line, proc.stdout + proc.stderr
    job_id, expected = int(line.split()[1]), line.split(" RESULTS ")[1]

    import ganga_widgets  # this process never submitted anything: like a restarted kernel

    ganga_widgets.start(gangadir=str(gangadir))
    run = ganga_widgets.attach(job_id)

    assert str(run.results()) == expected == "[1, 2, 5, 10]"
    assert run.widget.counts == {"completed": 4}
    plain_job = ganga_widgets.session.gpi().Job()
    with pytest.raises(ValueError, match=r"not made by ganga_widgets\.submit"):
        ganga_widgets.attach(plain_job)


def test_bad_input_is_refused_before_anything_is_submitted(ganga: Any) -> None:
    from ganga_widgets import submit

    lock = threading.Lock()

    def uses_lock(x: int) -> int:
        with lock:
            return x

    cases: list[tuple[Any, dict, type, str]] = [
        (42, {"args": [1]}, TypeError, "fn must be callable"),
        (abs, {"args": 42}, TypeError, "args must be a list"),
        (abs, {"args": "abc"}, TypeError, "args must be a list"),
        (abs, {"args": []}, ValueError, "args is empty"),
        (abs, {"args": [1, 2, threading.Lock()]}, TypeError,
         r"item 2 of args \(lock\) cannot be sent .*pickle"),
        (abs, {"args": [(x for x in [1])]}, TypeError,
         r"item 0 of args \(generator\) cannot be sent"),
        (abs, {"args": [open(__file__)]}, TypeError, r"item 0 of args \(TextIOWrapper\)"),
        (uses_lock, {"args": [1]}, TypeError, r"fn \(with kwargs\) cannot be sent .*lock"),
        (abs, {"args": [1], "backend": "Condr"}, ValueError, "unknown backend 'Condr'.*Condor"),
        (abs, {"args": [1], "backend": 3}, TypeError, "backend must be a backend name"),
        (abs, {"args": [1], "memory": 2000}, ValueError,
         "the Local backend cannot be asked for memory="),
        (abs, {"args": [1], "backend": "Condor", "cpus": 0}, ValueError, "cpus must be a pos"),
        (abs, {"args": [1], "env": {"A": 1}}, TypeError, "env names and values must be str"),
        (abs, {"args": [1], "shared_fs": "no"}, TypeError, "shared_fs must be True, False or"),
        (abs, {"args": [1], "python": ""}, ValueError, "python must be a path or name"),
        (abs, {"args": [1], "container": 3}, ValueError, "container must be a path or name"),
        (abs, {"args": [1], "shared_fs": False}, ValueError,
         r"the Local backend runs jobs where the kernel's files are: shared_fs=False is for "
         r"HTCondor \(backend='Condor'\)"),
        (abs, {"args": [1], "container": "docker://python:3.13"}, ValueError,
         "container= is for HTCondor"),
        (abs, {"args": [1], "python": "/nonexistent/python3"}, RuntimeError,
         "cannot tell which Python /nonexistent/python3 is on the batch nodes, so nothing was "
         "submitted: cannot run /nonexistent/python3 here"),
    ]  # fmt: skip
    for fn, kwargs, error, pattern in cases:
        with pytest.raises(error, match=pattern):
            submit(fn, **kwargs)
    # The names a user may choose from, each once (Ganga registers LSF also as "Batch").
    with pytest.raises(ValueError, match="unknown backend 'Nope'") as unknown:
        submit(abs, [1, 2], backend="Nope")
    names = str(unknown.value).split("this Ganga knows: ")[1].split(", ")
    assert len(names) == len(set(names)) and {"Condor", "Local", "LSF"} <= set(names), names
    assert len(ganga.jobs) == 0, "a refused submit left a job behind"
    staging = Path(ganga.config["Configuration"]["gangadir"], "ganga_widgets")
    assert not staging.exists() or not list(staging.iterdir()), "staged files left behind"


def test_a_module_the_worker_cannot_import_is_named(ganga: Any, tmp_path: Path) -> None:
    from ganga_widgets import RemoteError, submit

    # A module loaded from a file by path: importable here, not on the worker's sys.path.
    source = tmp_path / "elsewhere" / "physics_helpers.py"
    source.parent.mkdir()
    source.write_text("def energy(m):\n    return m * 299792458 ** 2\n")
    spec = importlib.util.spec_from_file_location("physics_helpers", source)
    module = importlib.util.module_from_spec(spec)
    sys.modules["physics_helpers"] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]

    run = submit(module.energy, [1.0])

    with pytest.raises(RemoteError) as raised:
        run.result(0)
    assert raised.value.type == "ModuleNotFoundError"
    assert "need module 'physics_helpers'" in raised.value.message


def a_python_with_another_cloudpickle(where: Path) -> Path:
    """This Python behind a wrapper that gives it a cloudpickle 0.1: a mismatched
    interpreter, as a misconfigured batch node has."""
    fake = where / "old-cloudpickle" / "cloudpickle"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text('__version__ = "0.1.0"\n')
    wrapper = where / "python-old-cloudpickle"
    wrapper.write_text(f'#!/bin/sh\nPYTHONPATH={fake.parent} exec {sys.executable} "$@"\n')
    wrapper.chmod(0o755)
    return wrapper


def test_a_worker_on_another_python_says_so(ganga: Any, tmp_path: Path) -> None:
    import cloudpickle

    from ganga_widgets import submit

    run = submit(abs, [-1])
    run.wait(progress=False)
    worker, meta, call, item, _ = run.job.subjobs[0].application.args

    # The same staged call, run by another Python, as a misconfigured batch node would.
    other = a_python_with_another_cloudpickle(tmp_path)
    subprocess.run([str(other), worker, meta, call, item, str(tmp_path)])

    error = json.loads((tmp_path / "gw-error.json").read_text())
    assert error["type"] == "VersionMismatch"
    assert "with cloudpickle 0.1.0, but the kernel" in error["message"]
    assert f"with cloudpickle {cloudpickle.__version__}" in error["message"]
    assert "same Python and cloudpickle (major.minor)" in error["message"]


def test_another_interpreter_that_does_not_match_is_refused_before_anything_is_submitted(
    ganga: Any, tmp_path: Path
) -> None:
    import cloudpickle

    from ganga_widgets import submit

    other = a_python_with_another_cloudpickle(tmp_path)
    with pytest.raises(RuntimeError) as refused:
        submit(abs, range(1000), python=str(other))
    message = str(refused.value)
    assert message.startswith("nothing was submitted: ")
    assert f"{other} ({sys.executable} on " in message
    assert "with cloudpickle 0.1.0, but this kernel runs Python " in message
    assert f"{platform.python_version()} with cloudpickle {cloudpickle.__version__}" in message
    assert "submit(..., python=...)" in message
    assert len(ganga.jobs) == 0
    staging = Path(ganga.config["Configuration"]["gangadir"], "ganga_widgets")
    assert not list(staging.iterdir()), "staged files left behind"


def test_an_interrupt_stops_the_waiting_not_the_job(tmp_path: Path) -> None:
    import signal

    started, waiting = tmp_path / "started", tmp_path / "waiting"
    code = f"""
import faulthandler, pathlib, signal, threading, time, ganga_widgets
from ganga_widgets.dispatcher import dispatcher
# the test asks for every thread's stack, should the interrupt go unanswered
faulthandler.register(signal.SIGUSR1, file=open({str(tmp_path / "stacks")!r}, "w"))
ganga_widgets.start(gangadir={str(tmp_path / "gangadir")!r})

def slow(x):
    pathlib.Path({str(started)!r}).write_text("running")
    time.sleep(120)

def say_when_waiting():  # run.wait() listens to the dispatcher while it waits
    while not dispatcher().listener_count():
        time.sleep(0.01)
    pathlib.Path({str(waiting)!r}).write_text("waiting")

run = ganga_widgets.submit(slow, [1])
threading.Thread(target=say_when_waiting, daemon=True).start()
try:
    run.wait(progress=False)
except KeyboardInterrupt:
    print("INTERRUPTED; job", run.job.status, flush=True)
    run.cancel()
"""
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        wait_until(started.exists, 60, "the call to run")
        # the interrupt lands in run.wait(), not in submit() before it
        wait_until(waiting.exists, 60, "run.wait() to be waiting")
        proc.send_signal(signal.SIGINT)  # Ctrl-C, or the notebook's interrupt button
        try:
            out, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGUSR1)
            stacks = tmp_path / "stacks"
            wait_until(lambda: stacks.stat().st_size, 30, "the stuck process's stacks")
            raise AssertionError(
                f"no answer to the interrupt in 60 s; its threads:\n{stacks.read_text()}"
            ) from None
    finally:
        proc.kill()
    import re

    assert re.search(r"INTERRUPTED; job (running|submitted)\b", out), out + err  # not ended
    assert "Stopped waiting; job 0 goes on (run.cancel() stops it)." in err


def _returns_a_lock(x: int) -> Any:
    import threading

    return threading.Lock()


def test_a_call_returning_what_cannot_be_sent_back_is_a_remote_error_saying_so(
    ganga: Any,
) -> None:
    from ganga_widgets import RemoteError, submit

    run = submit(_returns_a_lock, [1])
    with pytest.raises(RemoteError) as raised:
        run.result(0, timeout=120)
    assert "returned a lock, which cannot be sent back" in raised.value.message
    assert run.widget.failures[0]["call_error"]["message"] == raised.value.message


def _two_hundred_mb(x: int) -> bytes:
    return bytes([x]) * (200 * 1024 * 1024)


def test_a_200_mb_result_is_read_only_when_asked_for_and_the_widget_stays_light(
    ganga: Any,
) -> None:
    import json
    import resource

    from ganga_widgets import submit

    def peak_mb() -> float:  # the most this process has held so far
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def held_mb() -> float:  # what it holds now
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    start = peak_mb()
    run = submit(_two_hundred_mb, [7])
    run.wait(timeout=300, progress=False)
    widget = run.widget
    state = widget.get_state()
    sent = len(json.dumps({k: v for k, v in state.items() if not isinstance(v, bytes)}))
    assert sent < 100_000, f"the widget's state is {sent} bytes"
    assert peak_mb() - start < 100, "the result was read before it was asked for"
    before = held_mb()
    value = run.result(0)
    assert len(value) == 200 * 1024 * 1024 and value[:3] == b"\x07\x07\x07"
    assert held_mb() - before > 190  # what holding it costs: the check above could fail


def _says_in_other_scripts(word: str) -> str:
    import sys

    sys.stderr.buffer.write(b"not utf-8: \xff\xfe\xc3(\n")  # bytes no decoder accepts
    sys.stderr.flush()
    if word == "boom":
        raise ValueError("échec ✗ — 失败")
    return word.upper()


def test_names_arguments_stderr_and_errors_beyond_ascii_and_utf_8(ganga: Any) -> None:
    from ganga_widgets import RemoteError, submit

    run = submit(_says_in_other_scripts, ["naïve ☃", "boom"], name="résumé ✓ 测试")
    run.wait(timeout=120, progress=False)
    assert run.result(0) == "NAÏVE ☃"
    with pytest.raises(RemoteError, match="échec ✗ — 失败"):
        run.result(1)
    widget = run.widget
    assert widget.summary["name"] == "résumé ✓ 测试"
    widget._handle_custom_msg({"type": "select", "subjob": 0}, [])
    stderr = wait_until(lambda: widget.detail.get("stderr", {}).get("text"), 60, "stderr")
    assert "not utf-8: \ufffd\ufffd\ufffd(" in stderr, stderr  # shown, each bad byte replaced
    assert widget.failures[0]["call_error"]["message"] == "échec ✗ — 失败"


FULL_GANGADIR = (
    FILL
    + """
import json, os, sys
import ganga_widgets
from ganga_widgets import session

gangadir = sys.argv[1]
ganga_widgets.start(gangadir=gangadir, console=False)
filler = os.path.join(gangadir, "filler")
fill(filler)

def square(x):
    return x * x

try:
    ganga_widgets.submit(square, range(3))
    refused = None
except OSError as err:
    refused = str(err)
os.remove(filler)  # room again: the session goes on
values = ganga_widgets.submit(square, range(3)).results(timeout=120)
print("RESULT " + json.dumps({"refused": refused, "values": values,
                              "jobs": [j.id for j in session.gpi().jobs]}))
"""
)


def test_a_full_gangadir_refuses_a_submit_saying_where_and_what_to_do(tmp_path: Path) -> None:
    [found], stderr = on_a_small_disk(tmp_path, FULL_GANGADIR)
    gangadir = tmp_path / "small disk"
    assert f"gangadir {gangadir} (No space left on device)" in found["refused"]
    assert "nothing was submitted" in found["refused"] and "Free space" in found["refused"]
    assert found["values"] == [0, 1, 4]
    assert found["jobs"] == [0], "the refused submit left a job behind"
    assert "Logging error" not in stderr, stderr[-3000:]  # quiet, cell and all
