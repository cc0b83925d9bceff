"""The package's layout rules (scripts/check_layout.py), on the package and on broken ones."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.pure


def _checker() -> Any:
    spec = importlib.util.spec_from_file_location("check_layout", ROOT / "scripts/check_layout.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_layout"] = module
    spec.loader.exec_module(module)
    return module


def test_the_package_has_no_import_cycle_and_one_place_that_imports_ganga() -> None:
    assert _checker().problems(ROOT / "ganga_widgets") == []


def test_a_cycle_through_an_import_inside_a_function_is_found(tmp_path: Path) -> None:
    package = tmp_path / "ganga_widgets"
    (package / "ganga_adapter").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "ganga_adapter" / "__init__.py").write_text("import GangaCore\n")
    (package / "a.py").write_text("from . import b\n")
    (package / "b.py").write_text("def later():\n    from .c import f\n")
    (package / "c.py").write_text("import ganga\nfrom .a import x\n")
    found = _checker().problems(package)
    assert any(p.startswith("import cycle") and "ganga_widgets.b -> ganga_widgets.c" in p
               for p in found), found  # fmt: skip
    assert found[0] == "ganga_widgets.c imports ganga: only ganga_widgets.ganga_adapter may"
    assert len(found) == 2, "the adapter may import Ganga"
