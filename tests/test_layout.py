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


def test_the_package_has_floors_that_run_one_way_no_cycle_and_one_place_importing_ganga() -> None:
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
    layout = [p for p in found if not p.startswith("not on any floor")]
    assert len(layout) == 2, "the adapter may import Ganga"


def _floors(tmp_path: Path, files: dict[str, str]) -> list[str]:
    package = tmp_path / "ganga_widgets"
    for name, text in {"__init__.py": "", **files}.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text)
    return _checker().problems(package)


def test_an_import_up_the_floors_inside_a_function_is_named_with_its_file_and_line(
    tmp_path: Path,
) -> None:
    found = _floors(
        tmp_path,
        {
            "condor/__init__.py": "",
            "condor/watcher.py": "import os\n\n\ndef react():\n    from ..jobdata import model\n",
            "jobdata/__init__.py": "",
            "jobdata/model.py": "",
        },
    )
    assert found == [
        "ganga_widgets/condor/watcher.py:5: ganga_widgets.condor.watcher imports "
        "ganga_widgets.jobdata.model, up from floor 2 (condor) to 5 (jobdata)"
    ]


def test_packages_on_one_floor_do_not_import_each_other_and_every_package_has_a_floor(
    tmp_path: Path,
) -> None:
    found = _floors(
        tmp_path,
        {
            "kernel.py": "from .dispatcher import dispatcher\n",
            "dispatcher.py": "",
            "elsewhere/__init__.py": "",
        },
    )
    assert found == [
        "not on any floor of check_layout.FLOORS: elsewhere",
        "ganga_widgets/kernel.py:1: ganga_widgets.kernel imports ganga_widgets.dispatcher, "
        "sideways from floor 1 (kernel) to 1 (dispatcher)",
    ]
