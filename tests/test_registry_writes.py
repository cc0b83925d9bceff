"""Ganga's registry writes with our guards (ganga_adapter/registry_writes.py): the files
Ganga's own write makes, written so that a status change need not wait for a big job's
write, and read back by Ganga as it comes."""

from __future__ import annotations

import io
import os
import pickle
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from conditions import unavailable
from ganga_jobs import BARE_GANGA, python_job
from processes import run_python

pytestmark = pytest.mark.ganga

BIG = 150  # over big_job_writes.BIG_JOB: written in steps


def test_a_job_is_written_to_the_registry_exactly_as_ganga_writes_it(ganga: Any) -> None:
    from GangaCore.Core.GangaRepository.VStreamer import VStreamer

    from ganga_widgets.ganga_adapter import objects

    class GangasOwn(VStreamer):  # not the streamer our guards serve: Ganga's own path
        pass

    def written(obj: Any, streamer: type) -> str:
        text = io.StringIO()
        visitor = streamer(out=text, selection=["subjobs"])
        visitor.begin_root()
        obj.accept(visitor)
        visitor.end_root()
        return text.getvalue()

    odd = ["a", "<b>&'\"\\ é", ""]
    job = python_job(ganga, "pass", args=[[x] for x in odd], name="<b>written</b>")
    job.submit()
    master = objects.implementation(job)
    for obj in (master, *master.subjobs):
        assert written(obj, VStreamer) == written(obj, GangasOwn)
    # every kind of value a Condor job holds: dicts, files, lists of them, a requirement
    condor = ganga.Job(
        name="condor\n<job>",
        comment="é & <b>",
        application=ganga.Executable(exe="/bin/echo", args=["x", ganga.File(__file__)]),
        backend=ganga.Condor(
            cdf_options={"request_memory": "100", "+Odd": "<&>"}, env={"A": "1", "B": "$HOME"}
        ),
        inputfiles=[ganga.LocalFile(__file__)],
        outputfiles=[ganga.LocalFile("out.txt"), ganga.LocalFile("*.root")],
        splitter=ganga.ArgSplitter(args=[["x", str(i)] for i in range(2)]),
    )
    condor_master = objects.implementation(condor)
    condor_master._doSplitting()
    for obj in (condor_master, *condor_master.subjobs):
        assert written(obj, VStreamer) == written(obj, GangasOwn)
    assert "request_memory" in written(condor_master, VStreamer)
    assert "written" in written(master, VStreamer)
    assert "&lt;b&gt;&amp;" in written(master.subjobs[1], VStreamer)


def _big_job(ganga: Any) -> tuple[Any, Any]:
    """A job of ``BIG`` subjobs, split but not submitted (the write is what is looked at),
    with Ganga's own writes every 30 s turned off: the test makes each write."""
    from GangaCore.Utility.Config import getConfig

    from ganga_widgets.ganga_adapter import objects

    getConfig("Registry").setSessionValue("EnableAutoFlush", False)
    job = python_job(ganga, "pass", args=[[str(i)] for i in range(BIG)], name="big")
    master = objects.implementation(job)
    master._doSplitting()
    return job, master


def _files(job_dir: Path) -> dict[str, Any]:
    """What a job's directory holds: each XML file's text, and the subjob index's entries
    (without the files' times)."""
    found: dict[str, Any] = {}
    for path in sorted(job_dir.rglob("data")):
        found[str(path.relative_to(job_dir))] = path.read_text()
    with open(job_dir / "subjobs.idx", "rb") as f:
        index = pickle.load(f)
    found["subjobs.idx"] = {
        k: {n: v for n, v in e.items() if n != "modified"} for k, e in index.items()
    }
    return found


def _copy_of_gangadir(tmp_path: Path) -> Path:
    """The repository as this session left it, for a process of its own (this session's
    lock files left behind)."""
    copy = tmp_path / "copy"
    shutil.copytree(
        tmp_path / "gangadir",
        copy,
        ignore=shutil.ignore_patterns("sessions", "*.locks", "*session*"),
        symlinks=True,
    )
    return copy


def _job_dir(job: Any) -> Path:
    from GangaCore.Core.GangaRepository import getRegistry

    from ganga_widgets.ganga_adapter import objects

    repo = getRegistry("jobs").repository
    return Path(repo.get_fn(objects.implementation(job).id)).parent


def test_a_big_job_is_written_in_steps_that_let_a_status_change_through(
    ganga: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from GangaCore.Core.GangaRepository import GangaRepositoryXML, getRegistry

    registry = getRegistry("jobs")
    job, master = _big_job(ganga)
    save = GangaRepositoryXML.safe_save
    went_through: list[bool] = []

    def save_and_change_a_status(fn: str, obj: Any, to_file: Any, ignore_subs: str = "") -> None:
        if not went_through:  # at the first file written, another thread changes a status
            changed = threading.Event()

            def change() -> None:
                master.subjobs[BIG - 10].status = "failed"
                changed.set()

            threading.Thread(target=change, daemon=True).start()
            went_through.append(changed.wait(10))
        save(fn, obj, to_file, ignore_subs)

    save_and_change_a_status.lock = save.lock  # type: ignore[attr-defined]
    monkeypatch.setattr(GangaRepositoryXML, "safe_save", save_and_change_a_status)
    registry._flush([master])
    monkeypatch.undo()
    # Ganga's own write holds the job from start to end: the change would wait for it
    assert went_through == [True]
    registry._flush([master])  # if the change came after its subjob was written
    assert not master._dirty

    # what is on disk is what Ganga's own write of the same job makes
    job_dir = _job_dir(job)
    ours = _files(job_dir)
    with open(job_dir / "subjobs.idx", "rb") as f:
        times = {k: e["modified"] for k, e in pickle.load(f).items()}
    assert times == {k: os.stat(job_dir / str(k) / "data").st_ctime for k in range(BIG)}
    for subjob in master.subjobs:
        subjob._setDirty()
    registry.repository._safe_flush_xml(master.id)
    assert _files(job_dir) == ours
    assert len(ours) == BIG + 2 and ours["subjobs.idx"][BIG - 10]["status"] == "failed"

    # and Ganga as it comes, in a process of its own, reads it back
    copy = _copy_of_gangadir(tmp_path)
    bare = run_python(tmp_path, BARE_GANGA_LOADS, str(copy), str(master.id))
    expected = ["failed" if k == BIG - 10 else "new" for k in range(BIG)]
    assert bare == {
        "listed": expected,
        "loaded": expected,
        "entries_differ": [],
        "master": master.status,
    }


BARE_GANGA_LOADS = (
    BARE_GANGA
    + """
from GangaCore.Core.GangaRepository import getRegistry
from GangaCore.GPIDev.Base.Proxy import stripProxy
job = stripProxy(ganga.jobs(int(sys.argv[2])))
index = dict(job.subjobs._subjobIndexData)
listed = [index[k]["status"] for k in range(len(index))]  # before any subjob is read
loaded = [sj.status for sj in job.subjobs]
registry = getRegistry("jobs")
differ = [k for k, sj in enumerate(job.subjobs)
          if registry.getIndexCache(sj) != {n: v for n, v in index[k].items() if n != "modified"}]
print("RESULT " + json.dumps({"listed": listed, "loaded": loaded, "entries_differ": differ,
                              "master": job.status}))
"""
)


def test_a_job_read_back_from_disk_writes_only_the_subjobs_that_changed(
    ganga: Any, tmp_path: Path
) -> None:
    from GangaCore.Core.GangaRepository import getRegistry

    _, master = _big_job(ganga)
    getRegistry("jobs")._flush([master])
    copy = _copy_of_gangadir(tmp_path)
    again = run_python(tmp_path, OURS_AGAIN, str(copy), str(master.id))
    # each write of Ganga's own writes again every subjob written before
    assert again["rewritten"] == [[3], [5]]
    assert again["entries_differ"] == [] and again["times_differ"] == []


# A second session of ours on the job: it reads the job from disk (subjobs read one by one,
# as they are used), changes one subjob, writes, changes another, writes. (The copy made
# every file anew: only the times of the files written here are theirs.)
OURS_AGAIN = """
import json, os, pickle, sys
import ganga_widgets
from ganga_widgets import session
ganga_widgets.start(gangadir=sys.argv[1], console=False)
from GangaCore.Core.GangaRepository import getRegistry
from GangaCore.GPIDev.Base.Proxy import stripProxy
from GangaCore.Utility.Config import getConfig
getConfig("Registry").setSessionValue("EnableAutoFlush", False)
registry = getRegistry("jobs")
job = stripProxy(session.gpi().jobs(int(sys.argv[2])))
job_dir = os.path.dirname(registry.repository.get_fn(job.id))
n = len(job.subjobs)

def files():  # a written file is a new one (Ganga writes it aside, then renames it)
    return [os.stat(os.path.join(job_dir, str(k), "data")).st_ino for k in range(n)]

rewritten = []
for k in (3, 5):
    before = files()
    job.subjobs[k].status = "failed"
    registry._flush([job])
    rewritten.append([i for i, (a, b) in enumerate(zip(before, files())) if a != b])
with open(os.path.join(job_dir, "subjobs.idx"), "rb") as f:
    index = pickle.load(f)
entries_differ = [k for k in range(n) if registry.getIndexCache(job.subjobs[k])
                  != {a: b for a, b in index[k].items() if a != "modified"}]
times_differ = [k for k in (3, 5) if index[k]["modified"]
                != os.stat(os.path.join(job_dir, str(k), "data")).st_ctime]
print("RESULT " + json.dumps({"rewritten": rewritten, "entries_differ": entries_differ,
                              "times_differ": times_differ}))
"""


def test_a_write_refused_by_a_read_only_disk_leaves_the_last_write_loadable(
    ganga: Any, tmp_path: Path
) -> None:
    from GangaCore.Core.exceptions import RepositoryError
    from GangaCore.Core.GangaRepository import getRegistry

    if os.geteuid() != 0:
        unavailable("a read-only bind mount needs root")
    registry = getRegistry("jobs")
    job, master = _big_job(ganga)
    registry._flush([master])
    job_dir = _job_dir(job)
    master.subjobs[7].status = "failed"
    # the job's directory, read-only from now on (as a remounted disk would be)
    subprocess.run(["mount", "--bind", str(job_dir), str(job_dir)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(job_dir)], check=True)
        with pytest.raises(RepositoryError) as refused:
            registry._flush([master])
    finally:
        subprocess.run(["umount", str(job_dir)], check=True)
    assert f"flushing id '{master.id}'" in str(refused.value)
    assert "Read-only file system" in str(refused.value)
    assert master.subjobs[7]._dirty  # not written: still to be written
    # (Ganga's RepositoryError also disconnects every registry of the session: its own way
    # of not writing more over a failing disk.) On disk, the last write, whole: Ganga as it
    # comes loads it
    copy = _copy_of_gangadir(tmp_path)
    bare = run_python(tmp_path, BARE_GANGA_LOADS, str(copy), str(master.id))
    assert bare["listed"] == bare["loaded"] == ["new"] * BIG
    assert bare["entries_differ"] == []


def test_with_ganga_making_job_workspaces_a_new_job_has_its_input_and_output_dirs(
    ganga: Any,
) -> None:
    """Ganga's option ``autoGenerateJobWorkspace``: a job's input/ and output/ directories
    are made when it is written, as a side effect of computing its ``inputdir`` and
    ``outputdir``, values that are not written; our writes skip computing them."""
    from GangaCore.Core.GangaRepository import getRegistry
    from GangaCore.Runtime.Workspace_runtime import getLocalRoot
    from GangaCore.Utility.Config import getConfig

    root = Path(getLocalRoot())
    without = ganga.Job()  # the option off (Ganga's default): no directory, as in Ganga
    getConfig("Configuration").setUserValue("autoGenerateJobWorkspace", True)
    job = ganga.Job()  # written to the registry as it is made
    assert (root / str(job.id) / "input").is_dir()
    assert (root / str(job.id) / "output").is_dir()
    assert not (root / str(without.id)).exists()
    # a big job, written in steps: every subjob's own, as Ganga's write makes them
    _, master = _big_job(ganga)
    getRegistry("jobs")._flush([master])
    made = {
        (k, name)
        for k in range(BIG)
        for name in ("input", "output")
        if (root / str(master.id) / str(k) / name).is_dir()
    }
    assert len(made) == 2 * BIG
