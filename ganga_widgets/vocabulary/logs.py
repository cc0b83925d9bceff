"""Bounded tails of job log files.

A job's stderr can be hundreds of megabytes and is untrusted text. A tail reads at most
``max_bytes`` from the end of the file, never the whole file, and returns clean text: ANSI
escape sequences removed, invalid UTF-8 replaced, carriage-return progress bars collapsed to
what a terminal would show, and every line capped in length.
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass

MAX_BYTES = 64 * 1024
MAX_LINES = 50
MAX_LINE_CHARS = 400

# CSI (colours, cursor moves), OSC (titles, hyperlinks) and two-byte escapes.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
# Control characters other than tab; they would garble the view or the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Tail:
    """The last lines of a file, as shown to a user."""

    path: str
    text: str = ""
    lines: int = 0  # lines in ``text``
    size: int = 0  # size of the whole file in bytes
    bytes_read: int = 0
    truncated: bool = False  # the file holds more than ``text`` shows
    error: str | None = None  # why nothing could be read

    def to_dict(self) -> dict:
        return asdict(self)


def clean_line(line: str, max_chars: int = MAX_LINE_CHARS) -> str:
    """One line as a terminal would show it, without escapes, capped in length."""
    line = _ANSI.sub("", line)
    if "\r" in line:  # a progress bar redraws the line: keep the last non-empty redraw
        parts = [p for p in line.split("\r") if p]
        line = parts[-1] if parts else ""
    line = _CONTROL.sub("", line)
    if len(line) > max_chars:
        line = line[: max_chars - 1] + "…"
    return line


def tail(
    path: str,
    max_lines: int = MAX_LINES,
    max_bytes: int = MAX_BYTES,
    max_line_chars: int = MAX_LINE_CHARS,
) -> Tail:
    """Read the last ``max_lines`` lines of ``path`` reading at most ``max_bytes`` bytes."""
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            start = max(0, size - max_bytes)
            f.seek(start)
            data = f.read(max_bytes)
    except FileNotFoundError:
        return Tail(path=path, error=f"no file at {path}")
    except IsADirectoryError:
        return Tail(path=path, error=f"{path} is a directory, not a log file")
    except PermissionError:
        return Tail(path=path, error=f"permission denied reading {path}")
    except OSError as err:
        return Tail(path=path, error=f"cannot read {path}: {err.strerror or err}")

    return from_bytes(
        data,
        path=path,
        size=size,
        cut=start > 0,
        max_lines=max_lines,
        max_line_chars=max_line_chars,
    )


def from_bytes(
    data: bytes,
    path: str = "",
    size: int | None = None,
    cut: bool = False,
    max_lines: int = MAX_LINES,
    max_line_chars: int = MAX_LINE_CHARS,
) -> Tail:
    """The last lines of ``data`` (the end of some output), cleaned like a file's tail.
    ``cut``: ``data`` starts in the middle of the output, so its first line is partial."""
    raw_lines = data.split(b"\n")
    if cut and raw_lines:
        raw_lines = raw_lines[1:]
    if raw_lines and raw_lines[-1] == b"":
        raw_lines.pop()  # the newline ending the last line
    if len(raw_lines) > max_lines:
        raw_lines = raw_lines[-max_lines:]
        cut = True
    lines = [clean_line(b.decode("utf-8", errors="replace"), max_line_chars) for b in raw_lines]
    return Tail(
        path=path,
        text="\n".join(lines),
        lines=len(lines),
        size=len(data) if size is None else size,
        bytes_read=len(data),
        truncated=cut,
    )


def read_end(path: str, max_bytes: int) -> bytes | None:
    """The last ``max_bytes`` of a file, or None."""
    try:
        with open(path, "rb") as f:
            f.seek(max(0, os.fstat(f.fileno()).st_size - max_bytes))
            return f.read(max_bytes)
    except OSError:
        return None


def read_small(path: str, max_bytes: int = 4096) -> str | None:
    """The start of a small status file (e.g. Ganga's ``__jobstatus__``), or None."""
    try:
        with open(path, "rb") as f:
            return f.read(max_bytes).decode("utf-8", errors="replace")
    except OSError:
        return None
