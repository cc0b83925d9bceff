"""Shared fixtures. Tests marked ``ganga`` run in their own process (see isolation.py).

Plain helpers are modules of their own, imported by name: places.py, conditions.py,
ganga_jobs.py, processes.py, htcondor_pool.py (and browser.py, notebooks.py, sessions.py)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conditions import unavailable, wait_until
from htcondor_pool import POOL, condor_answer, pool_is_free
from places import ARTIFACTS

# A shell without job control that starts the suite in the background (as CI launchers
# and `cmd &` in a script do) leaves SIGINT ignored, and every process the tests start
# inherits that: Ctrl-C, as the tests send it, would never arrive (a wait "hung" for 60 s).
# Python's own handler here, as in a terminal or a kernel; children then start with it.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

pytest_plugins = ["isolation"]  # the hooks that give each Ganga test its own process


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
    # none left to remove: no matter
    condor_answer(condor_rm, "-constraint", f'regexp("^{tmp_path}", Iwd)')


@pytest.fixture
def condor_ganga(condor_pool: None, tmp_path: Path) -> Any:
    """Ganga with a fresh gangadir, on the real pool; the test's jobs leave the queue after."""
    import ganga_widgets
    from ganga_widgets import session

    gangadir = tmp_path / "gangadir"
    ganga_widgets.start(gangadir=str(gangadir), poll={"Local": 1})
    yield session.gpi()  # its jobs leave the queue with condor_pool's end


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
