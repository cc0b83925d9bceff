"""JobTable against real Ganga registries on the Local backend (each test: own process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conditions import pid_alive, wait_until
from ganga_jobs import python_job

pytestmark = pytest.mark.ganga

SLEEP = "import time; time.sleep(600)"
HOSTILE = '<img src=x onerror="alert(1)">'  # a job name is untrusted text


def _table(**kwargs: Any) -> Any:
    from ganga_widgets import JobTable

    return JobTable(**kwargs)


def _record(table: Any) -> list[dict]:
    """Every message the table sends to its views (state updates and custom messages)."""
    sent: list[dict] = []
    original = table._send

    def record(msg: dict, buffers: Any = None) -> None:
        sent.append(json.loads(json.dumps(msg, default=str)))
        original(msg, buffers)

    table._send = record
    return sent


def _query(table: Any, **query: Any) -> list[int]:
    """What the view's controls do: send a query; returns the ids on the page."""
    table._handle_custom_msg({"type": "query", **query}, [])
    return [r["id"] for r in table.rows]


def _act(table: Any, name: str, ids: list[int]) -> dict:
    """What a row's (or the selection's) button does, after its confirmation."""
    table._handle_custom_msg({"type": "action", "name": name, "ids": ids, "seq": 1}, [])
    return table.action


def _pid(job: Any) -> int:
    wait_until(lambda: job.backend.id and job.backend.id > 0, 30, f"job {job.id}'s PID")
    return int(job.backend.id)


def _row(table: Any, job_id: int, status: str) -> dict | None:
    """The job's row on the page, if it shows ``status``."""
    return next((r for r in table.rows if r["id"] == job_id and r["status"] == status), None)


def _rows_in(message: dict, status: str) -> list[dict]:
    """Rows with ``status`` that a sent message carries (a patch, or the page whole)."""
    carried = message.get("content", {}).get("rows") or message.get("state", {}).get("rows")
    return [r for r in carried or [] if r["status"] == status]


def _statuses(table: Any) -> dict[str, int]:
    return table.totals.get("by_status", {})


def test_a_registry_of_200_jobs_filters_sorts_and_pages(ganga: Any) -> None:
    # 120 new, 40 completed (5 of them with 3 subjobs), 30 failed (exit 3), 10 killed.
    new = [python_job(ganga, "pass", name=f"draft-{i}") for i in range(120)]
    new[7].name = HOSTILE
    new[8].comment = "calibration pass B"
    done = [python_job(ganga, "pass", name=f"ok-{i}") for i in range(35)]
    done += [python_job(ganga, "import sys", args=[["a"], ["b"], ["c"]], name=f"split-{i}")
             for i in range(5)]  # fmt: skip
    failed = [python_job(ganga, "raise SystemExit(3)", name=f"bad-{i}") for i in range(30)]
    killed = [python_job(ganga, SLEEP, name=f"long-{i}") for i in range(10)]
    for job in done + failed + killed:
        job.submit()
    for job in killed:
        _pid(job)
        job.kill()

    table = _table(page_size=25)
    sent = _record(table)
    want = {"new": 120, "completed": 40, "failed": 30, "killed": 10}
    wait_until(lambda: _statuses(table) == want, 120, f"{want}, have {_statuses(table)}")

    # Newest first, one page, read whole (times) only for the jobs on it.
    assert table.total == 200 and table.totals["jobs"] == 200
    all_ids = sorted(j.id for j in new + done + failed + killed)
    assert [r["id"] for r in table.rows] == all_ids[::-1][:25]
    assert all(r["times"] and r["times"]["created"] for r in table.rows)
    assert table.facets == {"status": want, "backend": {"Local": 200}}

    # Status filter and paging: 30 failed jobs are a page of 25 and a page of 5.
    page = _query(table, status=["failed"], page=0)
    assert table.total == 30 and len(page) == 25
    assert {r["status"] for r in table.rows} == {"failed"}
    assert _query(table, page=1) == sorted(j.id for j in failed)[::-1][25:]
    assert _query(table, page=9) == sorted(j.id for j in failed)[::-1][25:]  # the last page
    assert table.query["page"] == 1

    # Two statuses, other page sizes, a backend nobody uses.
    _query(table, status=["failed", "killed"], page=0, page_size=50)
    assert table.total == 40 and len(table.rows) == 40
    assert _query(table, status=[], backend=["Condor"]) == [] and table.total == 0
    _query(table, backend=["Local"], page_size=100)
    assert table.total == 200 and len(table.rows) == 100

    # Sorting: by name ascending, by status (a job's life first, then its endings).
    _query(table, sort="name", descending=False)
    names = [r["name"] for r in table.rows]
    assert names == sorted(names, key=str.lower) and names[0] == HOSTILE
    _query(table, sort="status", descending=False, page=1, page_size=100)
    assert [r["status"] for r in table.rows] == (
        ["new"] * 20 + ["completed"] * 40 + ["failed"] * 30 + ["killed"] * 10
    )
    _query(table, sort="subjobs", descending=True, page=0, page_size=10)
    assert {r["id"] for r in table.rows[:5]} == {j.id for j in done[35:]}
    assert table.rows[0]["counts"] == {"completed": 3} and table.rows[0]["subjobs"] == 3

    # Search: in names, in comments, by id.
    _query(table, sort="id", descending=True, text="OK-1", page_size=25)
    assert {r["name"] for r in table.rows} == {f"ok-{i}" for i in range(35) if "1" in str(i)[0]}
    assert _query(table, text="calibration") == [new[8].id]
    assert _query(table, text=str(failed[3].id)) == [failed[3].id]

    # Malformed queries change nothing they name wrongly, and fail nothing.
    before = dict(table.query)
    _query(table, page_size=5000, sort="rm -rf", page=-1, status="failed")
    assert table.query == before

    # The summary line across all jobs; messages stay small (a page is at most 100 rows).
    assert table.totals["subjobs_running"] == 0 and table.totals["subjobs_queued"] == 0
    biggest = max(len(json.dumps(m)) for m in sent)
    assert biggest < 100_000, f"a message of {biggest} bytes"

    # The same page outside the widget frontend: rich text, escaped HTML.
    _query(table, text="", page=0, page_size=10, sort="id", descending=False)
    bundle, _ = table._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    text = bundle["text/plain"]
    assert "200 jobs (120 new, 40 completed, 30 failed, 10 killed)" in text.replace("\n", " ")
    assert "page 1 of 20" in text and "draft-9" in text and HOSTILE in text
    assert HOSTILE not in bundle["text/html"] and "&lt;img src=x" in bundle["text/html"]


def test_changes_made_through_ganga_reach_the_table_as_patches(ganga: Any) -> None:
    jobs = [python_job(ganga, "pass", name=f"idle-{i}") for i in range(30)]
    running = python_job(ganga, SLEEP, name="long")
    running.submit()
    table = _table(page_size=10)
    wait_until(lambda: table.rows[0]["status"] == "running", 30, "the job to show running")
    sent = _record(table)

    # Killed from Ganga's API: the change travels as a patch of that row only, not the page.
    running.kill()
    wait_until(lambda: table.rows[0]["status"] == "killed", 30, "the row to show killed")
    first = next(m for m in sent if _rows_in(m, "killed"))
    assert first["method"] == "custom", f"the page was sent, not a patch: {first}"
    assert [r["id"] for r in first["content"]["rows"]] == [running.id]
    assert table.rows[0]["times"]["finished"]  # and the page the trait holds is current
    # Once patching pauses, the page goes whole once, for what records synced state only
    # (nbclient saving the notebook); the view gets no other copy.
    wait_until(lambda: any(m["method"] == "update" and _rows_in(m, "killed") for m in sent), 60,
               "the page to be synced whole after the patch")  # fmt: skip
    assert sum(1 for m in sent if m["method"] == "update" and "rows" in m["state"]) == 1

    # A job created in the API appears on top; a removed one disappears; totals follow.
    fresh = python_job(ganga, "pass", name="fresh")
    wait_until(lambda: table.rows[0]["id"] == fresh.id, 60, "the new job to be listed")
    assert table.total == 32
    jobs[-1].remove()
    wait_until(lambda: table.total == 31, 60, "the removed job to go")
    assert jobs[-1].id not in [r["id"] for r in table.rows]
    assert _statuses(table) == {"new": 30, "killed": 1}


def test_actions_from_the_view_act_on_the_real_jobs(ganga: Any, tmp_path: Path) -> None:
    fixed = tmp_path / "fixed"
    flaky = f"import os, sys; sys.exit(0 if sys.argv[1] != '1' or os.path.exists({str(fixed)!r}) else 3)"  # noqa: E501
    long_a, long_b = (python_job(ganga, SLEEP, name=n) for n in ("long-a", "long-b"))
    split = python_job(ganga, flaky, args=[["0"], ["1"], ["2"]], name="flaky")
    kept = python_job(ganga, "print('kept')", name="kept")
    draft = python_job(ganga, "pass", name="draft")
    for job in (long_a, long_b, split, kept):
        job.submit()
    pids = [_pid(long_a), _pid(long_b)]
    table = _table()
    wait_until(lambda: _row(table, split.id, "failed"), 60, "the split job to fail")
    wait_until(lambda: str(kept.status) == "completed", 30, "the short job to complete")

    # Kill, from the row: the process ends, the row says so at once.
    outcome = _act(table, "kill", [long_a.id])
    assert outcome["state"] == "done" and outcome["message"] == f"killed 1 job ({long_a.id})"
    assert str(long_a.status) == "killed" and not pid_alive(pids[0])
    assert _row(table, long_a.id, "killed")

    # Resubmit failed: only subjob 1 runs again, and now completes.
    fixed.touch()
    assert _act(table, "resubmit", [split.id])["state"] == "done"
    wait_until(lambda: str(split.status) == "completed", 60, "the resubmitted job to complete")
    row = wait_until(lambda: _row(table, split.id, "completed"), 60, "the row to follow")
    assert row["counts"] == {"completed": 3}

    # Open shows that job's own JobWidget below the table; Close drops it.
    assert _act(table, "open", [kept.id])["state"] == "done"
    assert table.detail is not None and table.detail.summary["id"] == kept.id
    assert _act(table, "close", [])["state"] == "done" and table.detail is None

    # Remove several at once (a running one is killed first): registry entries and files go.
    workspaces = [Path(j.outputdir).parent for j in (long_b, kept)]
    assert all(w.exists() for w in workspaces)
    ids = [long_b.id, kept.id, draft.id]
    outcome = _act(table, "remove", ids)
    assert outcome["state"] == "done" and "removed 3 jobs" in outcome["message"], outcome
    assert not any(i in ganga.jobs.ids() for i in ids)
    assert not any(w.exists() for w in workspaces) and not pid_alive(pids[1])
    assert not {r["id"] for r in table.rows} & set(ids) and table.total == 2

    # Refused, with the reason, for what cannot be done; nothing changes.
    assert _act(table, "kill", [kept.id]) == {
        "seq": 1, "name": "kill", "ids": [kept.id], "state": "refused",
        "message": f"not in the registry: {kept.id}"}  # fmt: skip
    refused = _act(table, "kill", [split.id])
    assert refused["state"] == "refused" and "nothing to kill" in refused["message"]
    table._handle_custom_msg({"type": "action", "name": "remove", "ids": "everything"}, [])
    assert table.action["state"] == "refused" and table.total == 2


def test_a_job_ganga_cannot_read_is_listed_as_unreadable(tmp_path: Path) -> None:
    gangadir = tmp_path / "gangadir"
    make = f"""
import sys, ganga_widgets
from ganga_widgets import session
ganga_widgets.start(gangadir={str(gangadir)!r})
g = session.gpi()
for name in ("first", "broken", "third"):
    g.Job(name=name, application=g.Executable(exe=sys.executable), backend=g.Local())
"""
    subprocess.run([sys.executable, "-c", make], check=True, capture_output=True, timeout=120)
    [entry] = [p for p in gangadir.glob("repository/*/LocalXML/6.0/jobs/0xxx/1")]
    for data in entry.glob("data*"):  # the job's file and Ganga's backup of it
        data.write_text("<job garbled by a full disk")

    import ganga_widgets

    ganga_widgets.start(gangadir=str(gangadir), poll={"Local": 1})
    table = _table()

    by_id = {r["id"]: r for r in table.rows}
    assert table.total == 3 and by_id[0]["name"] == "first" and by_id[2]["name"] == "third"
    assert by_id[1]["status"] == "unreadable"
    assert by_id[1]["error"].startswith("Ganga cannot read this job: ")
    assert "XMLFileError" in by_id[1]["error"]
    assert _query(table, status=["unreadable"]) == [1]
    assert _act(table, "open", [1])["state"] == "refused"
    assert entry.exists()  # listed, not lost: nothing deleted the user's files
    table.refresh()
    assert _statuses(table) == {"new": 2, "unreadable": 1}

    # Ganga's monitoring goes on past the unreadable entry: a new job is followed to its end.
    from ganga_widgets import session

    job = python_job(session.gpi(), "pass", name="after")
    job.submit()
    _query(table, status=[])
    wait_until(lambda: _row(table, job.id, "completed"), 60, "the new job to complete")


def test_watch_in_a_terminal_shows_the_job_until_it_ends(tmp_path: Path) -> None:
    import signal

    first_done = tmp_path / "first-done"
    script = f"""
import sys, ganga_widgets
from ganga_widgets import session
ganga_widgets.start(gangadir={str(tmp_path / "gangadir")!r}, poll={{"Local": 1}})
g = session.gpi()
code = "import sys, time; time.sleep(float(sys.argv[1])); open(sys.argv[2], 'w').close()"
marker = {str(first_done)!r}
j = g.Job(name="watched", application=g.Executable(exe=sys.executable),
          splitter=g.ArgSplitter(args=[["-c", code, "1", marker],
                                       ["-c", code, sys.argv[1], marker + "-2"]]),
          backend=g.Local())
j.submit()
ganga_widgets.watch(j)
print("AFTER WATCH", j.status, flush=True)
"""
    run = [sys.executable, "-c", script]
    env = {**os.environ, "COLUMNS": "100"}
    done = subprocess.run([*run, "2"], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    # Not a terminal, so rich prints the view once, as it was when the job ended.
    assert "AFTER WATCH completed" in done.stdout, done.stdout + done.stderr
    assert "watched" in done.stdout and "2 completed of 2 subjobs" in done.stdout, done.stdout

    first_done.unlink()
    out_file, err_file = tmp_path / "out", tmp_path / "err"
    with out_file.open("w") as out, err_file.open("w") as err:  # files: the job inherits them
        proc = subprocess.Popen([*run, "600"], stdout=out, stderr=err, text=True, env=env)
    try:
        wait_until(first_done.exists, 60, "the first subjob to end")
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        proc.wait(timeout=60)
        still_running = _pids_with(f"{first_done}-2")
    finally:
        proc.kill()
        for pid in _pids_with(f"{first_done}-2"):
            os.kill(pid, signal.SIGKILL)
    out, err = out_file.read_text(), err_file.read_text()
    assert "Stopped watching; the job goes on." in err, err
    assert "AFTER WATCH running" in out, out + err
    assert still_running, "the job's second subjob was stopped with the watching"


def _pids_with(argument: str) -> list[int]:
    """Processes whose command line has ``argument``."""
    pids = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if argument.encode() in (proc / "cmdline").read_bytes().split(b"\0"):
                pids.append(int(proc.name))
        except OSError:
            pass
    return pids


def test_the_summary_kept_row_by_row_stays_equal_to_a_recount() -> None:
    """The table keeps its summary line and filter counts up to date row by row (an update
    must not cost O(registry)); after any mix of changes, they equal a recount."""
    import random

    from ganga_widgets.jobdata import rows

    rng = random.Random(7)

    def a_row(job_id: int) -> dict:
        counts = {s: rng.randint(0, 5) for s in rng.sample(["running", "idle", "failed"], 2)}
        status = rng.choice(["new", "running", "completed", "failed", "unreadable"])
        return {"id": job_id, "status": status, "backend": rng.choice(["Local", "Condor", ""]),
                "counts": counts}  # fmt: skip

    kept = rows.RowSet({i: a_row(i) for i in range(50)})
    plain = dict(kept)
    for _ in range(500):
        job_id = rng.randrange(70)
        if rng.random() < 0.2:
            kept.pop(job_id, None)
            plain.pop(job_id, None)
        else:
            kept[job_id] = plain[job_id] = a_row(job_id)
    assert rows.totals(kept) == rows.totals(plain) and rows.facets(kept) == rows.facets(plain)
    # and in the same order, however the counts came about (the summary line reads in it)
    assert list(rows.totals(kept)["by_status"]) == list(rows.totals(plain)["by_status"])
    assert rows.totals(kept)["jobs"] == len(plain)
