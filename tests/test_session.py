"""Starting Ganga inside the kernel: never prompts, respects the user's configuration,
adopts a Ganga that is already running (another session on the gangadir:
test_shared_gangadir.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conditions import wait_until
from ganga_jobs import python_job


def test_importing_the_package_does_not_start_ganga() -> None:
    probe = (
        "import ganga_widgets, sys; "
        "print([m for m in sys.modules if m.split('.')[0] in ('ganga', 'GangaCore')])"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]", out.stdout


def test_start_never_prompts_even_for_a_new_user(tmp_path: Path) -> None:
    home = tmp_path / "home"  # no ~/.gangarc, no ~/gangadir: what the ganga CLI asks about
    home.mkdir()
    code = "import ganga_widgets; s = ganga_widgets.start(); print('GANGADIR', s.gangadir)"
    proc = subprocess.run(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,  # left open and empty: a prompt would block until the timeout
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HOME": str(home)},
    )
    assert proc.returncode == 0, proc.stderr
    assert f"GANGADIR {home / 'gangadir'}" in proc.stdout


GANGARC_HEADER = "# Ganga configuration file ($Name: 8.7.12 $)\n"  # as `ganga -g` writes it


@pytest.mark.ganga
def test_the_users_gangarc_wins_over_our_defaults_and_explicit_arguments_win_over_it(
    tmp_path: Path,
) -> None:
    gangadir = tmp_path / "from-gangarc"
    Path(os.environ["HOME"], ".gangarc").write_text(
        GANGARC_HEADER
        + f"[Configuration]\ngangadir = {gangadir}\n\n"
        + "[PollThread]\nLocal = 7\nautostart = False\n"
    )
    import ganga_widgets
    from ganga_widgets import JobWidget, session
    from ganga_widgets.ganga_adapter import objects

    started = ganga_widgets.start()

    assert started.gangadir == str(gangadir) and started.started_here
    assert objects.config("PollThread", "Local") == 7, "the user's poll period was overridden"
    assert objects.config("PollThread", "Slurm") == 5, "our default where the user set none"
    assert started.monitoring, "a live view needs the monitor even with autostart = False"

    ganga_widgets.start(poll={"Local": 1})
    assert objects.config("PollThread", "Local") == 1
    job = python_job(session.gpi(), "print('ok')")
    job.submit()
    widget = JobWidget(job)
    wait_until(lambda: widget.summary["status"] == "completed", 30, "the job to complete")

    with pytest.raises(ValueError, match="positive number of seconds"):
        ganga_widgets.start(poll={"Local": 0})


@pytest.mark.ganga
def test_a_ganga_the_user_started_is_adopted_and_kept(tmp_path: Path) -> None:
    gangadir = tmp_path / "users-gangadir"
    Path(os.environ["HOME"], ".gangarc").write_text(
        GANGARC_HEADER + f"[Configuration]\ngangadir = {gangadir}\n"
    )
    import ganga.ganga  # the user's own `from ganga.ganga import *`

    import ganga_widgets
    from ganga_widgets import JobWidget

    started = ganga_widgets.start(poll={"Local": 1})

    assert not started.started_here and started.gangadir == str(gangadir)
    job = python_job(ganga, "print('ok')")
    job.submit()
    widget = JobWidget(job)
    wait_until(lambda: widget.summary["status"] == "completed", 30, "the job to complete")
    with pytest.raises(RuntimeError, match=r"cannot switch to .*Restart the kernel"):
        ganga_widgets.start(gangadir=str(tmp_path / "another"))
    with pytest.raises(ValueError, match="no poll period setting for backend 'Nonesuch'"):
        ganga_widgets.start(poll={"Nonesuch": 3})
