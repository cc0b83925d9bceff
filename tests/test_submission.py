"""Ganga's submission path with our guards (ganga_adapter/submission.py): the same job,
written the same way, made faster; and it stays an ordinary Ganga job."""

from __future__ import annotations

import io
import re
import sys
from typing import Any

import pytest
from conftest import python_job, wait_until

pytestmark = pytest.mark.ganga


def _streamed(job: Any) -> str:
    """A job as Ganga writes it into its registry, times left out."""
    from GangaCore.Core.GangaRepository.VStreamer import to_file

    text = io.StringIO()
    to_file(job, text)
    return re.sub(r"datetime\.datetime\([^)]*\)", "<time>", text.getvalue())


def test_a_split_writes_exactly_the_subjobs_gangas_own_split_writes(
    ganga: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ganga_widgets.ganga_adapter import objects, submission

    job = ganga.Job(
        application=ganga.Executable(exe=sys.executable, args=["-c", "pass"]),
        backend=ganga.Condor(cdf_options={"request_memory": "100"}),
        inputfiles=[ganga.LocalFile(__file__)],
        outputfiles=[ganga.LocalFile("out.txt")],
    )
    master = objects.implementation(job)
    splitters = [
        ganga.ArgSplitter(args=[["-c", "pass", f"arg-{i}"] for i in range(3)]),  # skips the app
        ganga.GenericSplitter(
            attribute="application.args", values=[[f"arg-{i}"] for i in range(3)]
        ),
    ]
    for splitter in splitters:
        fast = [_streamed(sj) for sj in objects.implementation(splitter).validatedSplit(master)]

        def refused(value: Any) -> Any:
            raise submission._Unclonable("Ganga's own way, for comparison")

        with monkeypatch.context() as m:
            m.setattr(submission, "clone", refused)
            own = [_streamed(sj) for sj in objects.implementation(splitter).validatedSplit(master)]
        assert len(fast) == 3 and fast == own, type(splitter).__name__
        assert all(f"arg-{i}" in text for i, text in enumerate(fast))


def test_the_master_says_submitting_and_submitted_once_however_many_subjobs(ganga: Any) -> None:
    from ganga_widgets.ganga_adapter import ganga_log, objects

    job = python_job(ganga, "pass", args=[[str(i)] for i in range(20)])
    job.submit()
    assert job.status in ("submitted", "running", "completed")
    changes = [
        line
        for line in ganga_log.job_lines.lines(job.id)
        if f"job {job.id} status changed to" in line
    ]
    said = [re.search(r'"(\w+)"', line).group(1) for line in changes]  # type: ignore[union-attr]
    assert said[:2] == ["submitting", "submitted"] and said.count("submitting") == 1, changes
    wait_until(lambda: job.status == "completed", 120, "the job to complete")
    assert {sj.status for sj in objects.implementation(job).subjobs} == {"completed"}
