"""What a read-only session reads without Ganga: the owner's session file names and the
status files Local jobs write (the rest: test_shared_gangadir.py, with real sessions)."""

from __future__ import annotations

import pytest

from ganga_widgets.ganga_adapter import local_status
from ganga_widgets.ganga_adapter.sharing import OtherSession, Sharing, notice
from ganga_widgets.vocabulary.status import display_status

pytestmark = pytest.mark.pure


def test_a_session_file_name_says_which_process_on_which_host_since_when() -> None:
    other = OtherSession.from_file("lxplus9.cern.ch.17.48_Monday_07_December_2026.PID.4242.session")
    assert other == OtherSession("lxplus9.cern.ch", "4242", "17.48_Monday_07_December_2026")
    assert other.describe() == (
        "the Ganga session of process 4242 on lxplus9.cern.ch (started 17:48, Monday 07 "
        "December 2026)"
    )
    odd = OtherSession.from_file("something.session")
    assert odd.describe() == "the Ganga session of process ? on something.session"


def test_the_notice_names_the_owner_and_what_to_do_while_it_runs_and_once_it_ended() -> None:
    owner = OtherSession("vm", "7", "09.05_Friday_04_December_2026")
    running, ended = Sharing(owner, ended=False), Sharing(owner, ended=True)
    assert notice(Sharing(None, ended=False)) == "" and Sharing(None, False).to_dict() == {}
    assert notice(running).startswith("Read-only: the Ganga session of process 7 on vm")
    assert "act on them from that session" in notice(running)
    assert "has ended. Take over" in notice(ended)
    assert running.to_dict() == {
        "owner": owner.describe(),
        "ended": False,
        "text": notice(running),
        "reason": f"Read-only here: {owner.describe()} owns this gangadir; act from there",
    }
    assert ended.to_dict()["reason"] == "Read-only here: take over first (its owner has ended)"


STARTED = "START: Mon Dec  7 17:48:20 2026\nPID: 4242\n"
ENDED = STARTED + "EXITCODE: 3\nSTOP: Mon Dec  7 17:49:20 2026\n"


def test_a_local_jobs_status_file_says_running_then_ended_with_its_times_and_exit_code() -> None:
    assert local_status.parse("") is None  # not started yet
    running = local_status.parse(STARTED)
    assert running == local_status.LocalStatus("running", 1796665700.0)
    ended = local_status.parse(ENDED)
    assert ended == local_status.LocalStatus("completed", 1796665700.0, 1796665760.0, 3)
    assert local_status.exit_code(ENDED) == 3 and local_status.exit_code(STARTED) is None
    # What a view shows while the owner's Ganga still says "submitted"
    assert display_status("submitted", running) == "running"
    assert display_status("running", ended) == "completing"
    assert display_status("failed", ended) == "failed"


def test_a_status_file_that_is_not_there_or_not_gangas_is_no_status(tmp_path) -> None:
    assert local_status.read(str(tmp_path / "missing")) is None
    odd = tmp_path / "odd"
    odd.write_bytes(b"\xff\xfe garbage" * 1000)
    assert local_status.read(str(odd)) is None
