"""What submit() finds out about a call without running it: the modules its pickle imports,
whether an interpreter's versions can load it. Pure: no Ganga, no pool."""

from __future__ import annotations

import json
import os
import pickle
import sys
from typing import Any

import cloudpickle
import numpy as np
import pytest

from ganga_widgets.remote.staging import imported_modules
from ganga_widgets.remote.worker import versions_match

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
