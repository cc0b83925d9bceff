"""Shared fixtures. Tests marked ``ganga`` run in their own process (see isolation.py)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# A shell without job control that starts the suite in the background (as CI launchers
# and `cmd &` in a script do) leaves SIGINT ignored, and every process the tests start
# inherits that: Ctrl-C, as the tests send it, would never arrive (a wait "hung" for 60 s).
# Python's own handler here, as in a terminal or a kernel; children then start with it.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

pytest_plugins = ["isolation"]  # the hooks that give each Ganga test its own process

ROOT = Path(__file__).resolve().parent.parent
# scripts/test gives each lane its own (screenshots, executed notebooks, reports)
ARTIFACTS = Path(os.environ.get("GW_TEST_ARTIFACTS") or ROOT / "test-artifacts")
# Pinned downloads (pip's, npm's) are kept here, fetched once per clone: not in ~/.cache.
SUITE_CACHE = ROOT / "test-artifacts" / "cache"


def wait_until(
    condition: Callable[[], Any],
    timeout: float,
    what: str,
    interval: float = 0.05,
    shown: Callable[[], Any] | None = None,
) -> Any:
    """Poll ``condition`` until it returns something truthy; fail with ``what`` at the
    deadline (and what ``shown`` returns then: the state that was seen instead). Returns
    the truthy value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            seen = f"; instead: {shown()!r}" if shown is not None else ""
            raise AssertionError(f"after {timeout} s still waiting for: {what}{seen}")
        time.sleep(interval)


@pytest.fixture
def jupyter(tmp_path: Path) -> Iterator[Any]:
    """Starts JupyterLab / Notebook 7 servers on demand (see browser.py); requested before
    ``page`` so they stop after it."""
    from contextlib import ExitStack

    from browser import jupyter_server

    with ExitStack() as stack:

        def start(app: str, notebooks: list[Path], **options: Any) -> Any:
            base = tmp_path / f"server-{app}"
            return stack.enter_context(jupyter_server(app, base, notebooks, **options))

        yield start


@pytest.fixture
def ganga(tmp_path: Path) -> Any:
    """Ganga started in this (isolated) process with a fresh gangadir and a 1 s Local poll;
    returns Ganga's public interface (``Job``, ``jobs``, ``Local``, ...)."""
    import ganga_widgets
    from ganga_widgets import session

    ganga_widgets.start(gangadir=str(tmp_path / "gangadir"), poll={"Local": 1})
    return session.gpi()


# A job's Python code that runs until its flag file (argv[1]) exists: a job that ends when
# the test says so, not after a time a slow machine may overrun.
UNTIL_FLAG = "import os, sys, time\nwhile not os.path.exists(sys.argv[1]):\n    time.sleep(0.1)\n"
# Holds sys.argv[2] MB of memory until sys.argv[1] exists.
HOLDS_MEMORY = (
    "import sys\nblock = bytearray(int(sys.argv[2]) * 2**20)\n"
    "for i in range(0, len(block), 4096):\n    block[i] = 1\n" + UNTIL_FLAG
)
# A memory policy of the tests' own, as a user's submit description would have it, worded
# as HTCondor's own cgroup hold is, with each job's usage (its code is the policy's, 3).
MEMORY_POLICY = {
    "request_memory": "100",
    "periodic_hold": "MemoryUsage =!= undefined && MemoryUsage > RequestMemory",
    "periodic_hold_reason": 'strcat("Job has gone over cgroup memory limit of ", RequestMemory, '
    '" megabytes. Last measured usage: ", MemoryUsage, " megabytes.  Consider resubmitting '
    'with a higher request_memory.")',
    "periodic_hold_subcode": "1",
}

# Subjobs a Local job runs at once: Ganga's default is the number of cores, so that tests
# waiting for "both running" would hang on one core and see four on sixteen.
LOCAL_BATCH = 2


def python_job(
    ganga: Any, code: str, args: list[list[str]] | None = None, name: str = "", **kwargs: Any
) -> Any:
    """A Local job running ``python -c code <args>``; with ``args``, one subjob per entry,
    ``LOCAL_BATCH`` of them at a time whatever the machine's cores.

    Ganga 8.7.12's Local backend gives jobs no PATH, so the interpreter is absolute."""
    app = ganga.Executable(exe=sys.executable, args=["-c", code])
    backend = ganga.Local(batchsize=LOCAL_BATCH)
    job = ganga.Job(name=name, application=app, backend=backend, **kwargs)
    if args is not None:
        job.splitter = ganga.ArgSplitter(args=[["-c", code, *a] for a in args])
    return job


def run_python(tmp_path: Path, code: str, *args: str) -> Any:
    """Run ``python -c code args`` in a process of its own (its HOME in ``tmp_path``: Ganga's
    own files are not the user's); returns the JSON it printed on a line ``RESULT ...``."""
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=1200,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), "")
    assert line, (
        f"no result (exit {proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    )
    return json.loads(line[len("RESULT ") :])


# For on_a_small_disk's scripts: fill(path) writes ``path`` until the filesystem is full.
FILL = """
def fill(path):
    with open(path, "wb") as f:
        try:
            while True:
                f.write(b"x" * 65536)
                f.flush()
        except OSError:
            pass
"""


def on_a_small_disk(tmp_path: Path, *codes: str) -> tuple[list[Any], str]:
    """Run each ``python -c code gangadir`` in turn, the gangadir (``tmp_path/"small disk"``)
    an 8 MB tmpfs mounted in a mount namespace of the test's own: nothing outside sees it,
    and it goes when the last one ends. Returns every ``RESULT ...`` JSON printed, and stderr."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        unavailable("a filesystem of the test's own needs root and unshare(1)")
    gangadir = tmp_path / "small disk"
    gangadir.mkdir()
    each = 'mount -t tmpfs -o size=8m tmpfs "$1" || exit 1; d=$1; shift; '
    each += 'for code; do "$GW_PYTHON" -c "$code" "$d" || exit $?; done'
    proc = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", each, "sh",
         str(gangadir), *codes],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "HOME": str(tmp_path), "GW_PYTHON": sys.executable},
    )  # fmt: skip
    found = [
        json.loads(x[len("RESULT ") :]) for x in proc.stdout.splitlines() if x.startswith("RESULT ")
    ]
    assert len(found) == len(codes) and proc.returncode == 0, (
        f"exit {proc.returncode}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    )
    return found, proc.stderr


def pid_alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


POOL = ROOT / "scripts" / "htcondor-pool"


def unavailable(reason: str) -> None:
    """Skip a test whose real dependency cannot run here; under CI=true, fail instead."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: every test must run)")
    pytest.skip(reason)


@pytest.fixture
def condor_pool(tmp_path: Path) -> Iterator[None]:
    """The project's personal HTCondor pool, running (started if need be), with its client
    configuration in this process's environment (set before htcondor is imported). After
    the test, whatever its outcome, its jobs (those working under its tmp_path: a browser
    test's server's gangadir too) leave the queue."""
    if subprocess.run([str(POOL), "status"], capture_output=True).returncode != 0:
        if os.geteuid() != 0:
            unavailable("the HTCondor test pool needs root to start (scripts/htcondor-pool)")
        proc = subprocess.run([str(POOL), "start"], capture_output=True, text=True)
        if proc.returncode != 0:
            unavailable(f"scripts/htcondor-pool start failed:\n{proc.stderr[-3000:]}")
    env = subprocess.run(
        ["bash", "-c", f'eval "$({POOL} env)" && env -0'], capture_output=True, check=True
    ).stdout.decode()
    for item in env.split("\0"):
        name, _, value = item.partition("=")
        if name in ("CONDOR_CONFIG", "PATH", "GW_CONDOR_ROOT", "GW_CONDOR_STATE"):
            os.environ[name] = value
    # The tests count on both slots: wait until an earlier test's jobs have left them.
    try:
        wait_until(pool_is_free, 180, "the pool's slots to be free of earlier jobs", 0.5)
    except AssertionError:
        pass  # a slot stays busy: the test itself says what it could not do
    # found now: a test may take the pool's tools off PATH (as one without condor_tail does)
    condor_rm = shutil.which("condor_rm") or "condor_rm"
    yield
    _tool((condor_rm, "-constraint", f'regexp("^{tmp_path}", Iwd)'))  # none left: no matter


def pool_is_free() -> bool:
    """No job idle or running (a held one takes no slot), and every slot unclaimed."""
    queue = condor_tool("condor_q", "-allusers", "-constraint", "JobStatus == 1 || JobStatus == 2",
                        "-af", "ClusterId").split()  # fmt: skip
    states = condor_tool("condor_status", "-af", "State").split()
    return not queue and bool(states) and all(s == "Unclaimed" for s in states)


@pytest.fixture
def condor_ganga(condor_pool: None, tmp_path: Path) -> Any:
    """Ganga with a fresh gangadir, on the real pool; the test's jobs leave the queue after."""
    import ganga_widgets
    from ganga_widgets import session

    gangadir = tmp_path / "gangadir"
    ganga_widgets.start(gangadir=str(gangadir), poll={"Local": 1})
    yield session.gpi()  # its jobs leave the queue with condor_pool's end


def condor_job(
    ganga: Any,
    tmp_path: Path,
    code: str,
    args: list[list[str]] | None = None,
    name: str = "",
    **backend: Any,
) -> Any:
    """A Condor job running ``code`` with the kernel's own Python; with ``args``, one
    subjob per entry. (Ganga's Condor wrapper does not quote arguments: the code goes in a
    file, not on the command line.)"""
    script = tmp_path / f"job-{time.monotonic_ns()}.py"
    script.write_text(code)
    app = ganga.Executable(exe=sys.executable, args=[str(script)])
    job = ganga.Job(name=name, application=app, backend=ganga.Condor(**backend))
    if args is not None:
        job.splitter = ganga.ArgSplitter(args=[[str(script), *a] for a in args])
    return job


def condor_tool(*args: str) -> str:
    """Run one of the pool's condor_* tools, as a user would in a terminal."""
    proc = _tool(args)
    assert proc.returncode == 0, f"{' '.join(args)}: {proc.stdout}{proc.stderr}"
    return proc.stdout


def condor_answer(*args: str) -> str | None:
    """A condor_* tool's output, or None while the daemon it asks does not answer (just
    restarted, say): for conditions waited on."""
    proc = _tool(args)
    return proc.stdout if proc.returncode == 0 else None


def _tool(args: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=60, cwd="/tmp")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")


@pytest.fixture(autouse=True)
def _pure_tests_stay_pure(request: pytest.FixtureRequest) -> Any:
    """A ``pure`` test must not start Ganga: the fast lane runs them all in one process."""
    before = "GangaCore" in sys.modules
    yield
    if request.node.get_closest_marker("pure") and not before:
        assert "GangaCore" not in sys.modules, "a pure test imported Ganga"


# -- a real browser (Debian's Chromium, driven by Playwright) ----------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from browser import CHROMIUM, CHROMIUM_ARGS

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: the README's test command installs Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, artifacts: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    name = request.node.name.replace("[", "-").replace("]", "")
    page.screenshot(path=str(artifacts / f"{name}-end.png"), full_page=True)
    context.close()
    # Notebook 7.6 always logs one error of its own shortcuts plugin; ours would say "gw".
    ours = [e for e in errors if "gw-" in e or "ganga" in e.lower() or "job.js" in e]
    assert not ours, f"page errors from the widget: {ours}"
