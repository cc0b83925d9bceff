"""Ganga's log records kept per job and off the console (ganga_adapter/ganga_log.py)."""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Iterator

import pytest

from ganga_widgets.ganga_adapter import ganga_log

pytestmark = pytest.mark.pure


def record(
    message: str, *args: object, name: str = "GangaCore.GPIDev.Lib.Job"
) -> logging.LogRecord:
    return logging.LogRecord(name, logging.INFO, __file__, 1, message, args, None)


@pytest.fixture
def lines() -> ganga_log.JobLines:
    return ganga_log.JobLines()


def test_a_record_belongs_to_the_job_submitted_on_its_thread_else_to_the_job_it_names(
    lines: ganga_log.JobLines,
) -> None:
    with lines.submitting(7):
        lines.handle(record("Preparing Executable application."))
        lines.handle(record("submitting job %s to %s backend", "7.1", "Local"))
        # another thread's record while 7 is submitted here is not 7's
        other = threading.Thread(target=lines.handle, args=(record("Splitting Job: 9"),))
        other.start()
        other.join()
    lines.handle(record('job %s status changed to "%s"', 7, "completed"))
    lines.handle(record("Will run up to 4 subjobs in parallel"))  # no job: only the file
    seven = lines.lines(7)
    assert [line.split(" ", 2)[2] for line in seven] == [
        "Preparing Executable application.",
        "submitting job 7.1 to Local backend",
        'job 7 status changed to "completed"',
    ]
    assert all(line.split(" ")[1] == "INFO" for line in seven)
    assert [line.split(" ", 2)[2] for line in lines.lines(9)] == ["Splitting Job: 9"]


def test_only_gangas_records_and_bounded_per_job_and_in_jobs(lines: ganga_log.JobLines) -> None:
    lines.handle(record("job 1 from someone else", name="ganga_widgets"))
    assert lines.lines(1) == []
    for i in range(ganga_log.LINES_PER_JOB + 50):
        lines.handle(record("job 2 line %d " + "x" * 1000, i))
    kept = lines.lines(2)
    assert len(kept) == ganga_log.LINES_PER_JOB and "line 50 " in kept[0]
    assert max(map(len, kept)) == ganga_log.LINE_CHARS
    for job in range(3, 3 + ganga_log.JOBS_KEPT):
        lines.handle(record("job %d", job))
    assert lines.lines(2) == [] and lines.lines(3 + ganga_log.JOBS_KEPT - 1)


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """A console handler on the root logger, as Ganga's own (removed afterwards)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_the_console_shows_gangas_records_only_when_asked(console: io.StringIO) -> None:
    ganga_log.show_on_console(False)
    logging.getLogger("GangaCore.Lib.Localhost").info("submitting job 3")
    logging.getLogger("ganga_widgets.test").warning("ours still shows")
    assert console.getvalue() == "ours still shows\n"
    ganga_log.show_on_console(True)
    logging.getLogger("GangaCore.Lib.Localhost").info("submitting job 4")
    assert console.getvalue().endswith("submitting job 4\n")
