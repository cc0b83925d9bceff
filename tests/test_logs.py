"""Bounded log tails: what a user sees of a huge, dirty or missing stderr file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ganga_widgets.vocabulary import logs

pytestmark = pytest.mark.pure


def _bytes_read_by_this_process() -> int:
    with open("/proc/self/io") as f:
        return int(next(line for line in f if line.startswith("rchar:")).split()[1])


def test_200_mb_stderr_is_tailed_reading_a_bounded_number_of_bytes(tmp_path: Path) -> None:
    path = tmp_path / "stderr"
    with open(path, "wb") as f:
        f.truncate(200 * 1024 * 1024)  # 200 MB of earlier output (sparse: quick to make)
        f.seek(0, os.SEEK_END)
        f.write(b"".join(b"line %d\n" % i for i in range(1000)))
    size = path.stat().st_size
    assert size > 200 * 1024 * 1024

    before = _bytes_read_by_this_process()
    result = logs.tail(str(path))
    read = _bytes_read_by_this_process() - before

    assert result.text.splitlines() == [f"line {i}" for i in range(950, 1000)]
    assert result.size == size and result.truncated
    assert read <= logs.MAX_BYTES + 4096, f"read {read} bytes of a {size} byte file"


def test_ansi_codes_invalid_utf8_progress_bars_and_long_lines_are_cleaned(tmp_path: Path) -> None:
    path = tmp_path / "stderr"
    path.write_bytes(
        b"\x1b[31mred error\x1b[0m\n"
        b"bad bytes \xff\xfe here\n"
        b"progress 10%\rprogress 50%\rprogress 100%\n"
        b"\x1b]0;window title\x07title gone\n" + b"x" * 5000 + b"\n"
    )
    lines = logs.tail(str(path)).text.splitlines()
    assert lines[0] == "red error"
    assert lines[1] == "bad bytes \ufffd\ufffd here"
    assert lines[2] == "progress 100%"
    assert lines[3] == "title gone"
    assert len(lines[4]) == logs.MAX_LINE_CHARS and lines[4].endswith("…")


def test_tail_of_a_file_with_no_final_newline_and_fewer_lines_than_asked(tmp_path: Path) -> None:
    path = tmp_path / "stderr"
    path.write_text("one\ntwo")
    result = logs.tail(str(path))
    assert result.text == "one\ntwo" and result.lines == 2 and not result.truncated


def test_missing_and_unreadable_files_say_why(tmp_path: Path) -> None:
    missing = logs.tail(str(tmp_path / "nope"))
    assert missing.text == "" and "no file at" in (missing.error or "")
    directory = logs.tail(str(tmp_path))
    assert "is a directory" in (directory.error or "")


def test_names_are_bounded_like_log_lines() -> None:
    assert logs.clean_line("\x1b[1mjob\x1b[0m " + "n" * 1000, 300) == "job " + "n" * 295 + "…"
