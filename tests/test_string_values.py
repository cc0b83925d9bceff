"""Ganga runs as Python every string a user gives it (a job's arguments too); here it gets
only the strings that spell a value: literals, names, GPI classes called with literals."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from conditions import wait_until

from ganga_widgets.ganga_adapter.string_values import NotAValue, value_of


class Box:
    def __init__(self, size: int = 0, label: str = "") -> None:
        self.size, self.label = size, label


@pytest.mark.pure
@pytest.mark.parametrize(
    ("text", "expected"),
    [("3", 3), ("-2.5", -2.5), ("'x'", "x"), ("[1, (2, 'a')]", [1, (2, "a")]),
     ("{'a': [1]}", {"a": [1]}), ("None", None), ("Local", "the Local class")],
)  # fmt: skip
def test_literals_and_names_are_values(text: str, expected: Any) -> None:
    names = {"Local": "the Local class"}
    assert value_of(text, names) == expected


@pytest.mark.pure
def test_a_class_called_with_literal_arguments_is_made() -> None:
    box = value_of("Box(3, label='x')", {}, {"Box": Box})
    assert isinstance(box, Box) and (box.size, box.label) == (3, "x")
    [inner] = value_of("[Box(size=1)]", {}, {"Box": Box})
    assert isinstance(inner, Box) and inner.size == 1


@pytest.mark.pure
@pytest.mark.parametrize(
    "text",
    ["print('ok')", "__import__('os').remove('x')", "Box(1).size", "open('f')", "1 + 1",
     "Box(*[1])", "lambda: 0", "[x for x in ()]", "Local()", "import os", ""],
)  # fmt: skip
def test_code_is_never_run(text: str) -> None:
    called: list[str] = []
    names = {"print": lambda *a: called.append("print"), "open": open, "Local": object}
    with pytest.raises(NotAValue):
        value_of(text, names, {"Box": Box})
    assert called == []


@pytest.mark.ganga
def test_a_jobs_python_argument_runs_in_the_job_not_in_the_kernel(
    ganga: Any, tmp_path: Path
) -> None:
    """The code a job runs (``python -c <code>``) is run by the job alone: made and
    submitted, nothing of it ran in this process; the job runs it, once. Strings that name
    GPI objects still become them."""
    ran = tmp_path / "ran-in-the-kernel"
    code = f"__import__('pathlib').Path({str(ran)!r}).write_text('x')"
    job = ganga.Job(application=ganga.Executable(exe=sys.executable, args=["-c", code]),
                    backend="Local")  # fmt: skip
    assert not ran.exists(), "Ganga ran the job's argument in the kernel"
    assert list(job.application.args) == ["-c", code]
    assert type(job.backend) is type(ganga.Local())  # "Local" became the backend
    job.submit()
    assert not ran.exists(), "Ganga ran the job's argument in the kernel at submit"
    wait_until(lambda: job.status == "completed", 60, "the job to complete")
    assert ran.read_text() == "x"  # the job itself ran it
