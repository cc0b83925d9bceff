"""What submit() finds out about a call without running it: the modules its pickle imports,
whether an interpreter's versions can load it. Pure: no Ganga, no pool."""

from __future__ import annotations

import json
import os
import pickle
import sys
from pathlib import Path
from typing import Any

import cloudpickle
import numpy as np
import pytest

from ganga_widgets.remote.staging import imported_modules, sources
from ganga_widgets.remote.worker import versions_match, with_sources

pytestmark = pytest.mark.pure


def _uses_numpy_as_a_global(x: float) -> Any:
    return np.sqrt(x) + len(json.dumps(x)) + len(os.sep)


def test_a_notebook_function_using_a_package_as_a_global_imports_it_by_name() -> None:
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    try:
        data = cloudpickle.dumps((_uses_numpy_as_a_global, {}))  # by value, as a notebook's
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    assert imported_modules(data) == {"numpy"}  # json, os: the standard library


def test_values_and_functions_of_installed_packages_are_found_and_plain_values_are_not() -> None:
    assert imported_modules(cloudpickle.dumps(((np.arange(3),), {}))) == {"numpy"}
    assert imported_modules(cloudpickle.dumps((np.sqrt, {}))) == {"numpy"}
    assert imported_modules(pickle.dumps(np.float64, protocol=0)) == {"numpy"}  # GLOBAL
    # a string that spells a module is only a string
    assert imported_modules(cloudpickle.dumps(((1, "numpy", "subimport"), {}))) == set()
    assert imported_modules(cloudpickle.dumps((print, {"k": [1.5, None]}))) == set()


def test_a_function_loads_on_the_same_python_and_cloudpickle_major_minor_only() -> None:
    assert versions_match("3.13", "3.1.1", "3.13", "3.1.3")
    assert not versions_match("3.12", "3.1.3", "3.13", "3.1.3")
    assert not versions_match("3.13", "3.0.0", "3.13", "3.1.3")
    assert not versions_match("3.13", None, "3.13", "3.1.3")  # not installed


def _calibrated(x: float) -> float:
    return _scale(x) * 2


def _scale(x: float) -> float:
    def inner(y: float) -> float:
        return y / 0  # the line a remote traceback points at

    return inner(x)


def test_a_traceback_of_a_function_sent_by_value_gets_its_source_lines_back() -> None:
    sent = sources(_calibrated)
    assert set(sent) == {"_calibrated", "_scale", "inner"}  # what it calls, nested too
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    try:
        remote = cloudpickle.loads(cloudpickle.dumps(_calibrated))  # as the node gets it
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    try:
        remote(1.0)
    except ZeroDivisionError as err:
        import traceback

        bare = "".join(traceback.format_exception(err))
    assert 'File "<dynamic-code>"' in bare and "return y / 0" not in bare
    filled = with_sources(bare, {"sources": sent})
    assert "    return y / 0  # the line a remote traceback points at\n" in filled
    assert "    return _scale(x) * 2\n" in filled and "    return inner(x)\n" in filled
    assert with_sources(bare, {}) == bare  # a run staged before sources were sent


def test_the_source_sent_along_is_bounded(tmp_path: Path) -> None:
    from ganga_widgets.remote.staging import SOURCES_BYTES

    body = "\n".join(f"    x{i} = {i}" for i in range(8000))
    (tmp_path / "huge_analysis.py").write_text(
        f"def small():\n    return 1\n\ndef huge():\n{body}\n    return small()\n"
    )
    assert len(body) > SOURCES_BYTES
    sys.path.insert(0, str(tmp_path))
    try:
        import huge_analysis  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(tmp_path))
    assert sources(huge_analysis.small) == {
        "small": {"first": 1, "lines": ["def small():", "    return 1"]}
    }
    assert sources(huge_analysis.huge) == {}  # over the bound: nothing rather than a part
    assert sources(print) == {}  # a builtin has no code


def test_the_worker_names_its_result_files_as_the_views_read_them() -> None:
    """The worker spells its two file names itself (ganga_widgets is not installed where it
    runs): a view looking for another name would never show a call's result or error."""
    from ganga_widgets.remote import worker
    from ganga_widgets.vocabulary import files

    assert (worker.RESULT, worker.ERROR) == (files.CALL_RESULT, files.CALL_ERROR)
