"""The views' ES modules joined into the one module anywidget loads (widgets/assets.py)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ganga_widgets.widgets import assets

pytestmark = pytest.mark.pure
VIEWS = ("job/index.js", "table/index.js")


@pytest.mark.parametrize("entry", VIEWS)
def test_each_view_joins_into_one_valid_module_with_every_panel(entry: str, tmp_path: Path) -> None:
    joined = assets.esm(entry)
    module = tmp_path / "view.mjs"
    module.write_text(joined + "\nexport const _probe = typeof render;\n")
    node = shutil.which("node")
    assert node, "Node.js is needed (scripts/test installs it)"
    check = subprocess.run([node, "--check", str(module)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    panels = sorted(p.relative_to(assets.STATIC).as_posix()
                    for p in (assets.STATIC / entry).parent.glob("*.js"))  # fmt: skip
    for panel in [*panels, "lib/dom.js"]:
        if panel != entry:
            assert f"// {panel}\n" in joined, f"{panel} is not in the joined {entry}"
    assert joined.count("export default") == 1 and "import {" not in joined
    assert "@param" not in joined, "the type checker's comments are not sent to the browser"


def _static(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str]) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.setattr(assets, "STATIC", tmp_path.resolve())
    assets.esm.cache_clear()


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"a.js": 'import { nope } from "./b.js";\nexport default {};\n',
          "b.js": "export function yes() {}\n"}, "imports nope from ./b.js"),
        ({"a.js": 'import { x } from "https://cdn.example/x.js";\n'}, "only their own modules"),
        ({"a.js": 'import { x } from "./b.js";\n', "b.js": 'import { y } from "./a.js";\n'
          "export const x = 1;\n"}, "import cycle"),
        ({"a.js": 'import x from "./b.js";\n', "b.js": ""}, "module syntax"),
    ],
)  # fmt: skip
def test_module_syntax_it_cannot_join_is_refused_naming_the_file(
    files: dict[str, str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _static(tmp_path, monkeypatch, files)
    try:
        with pytest.raises(assets.AssetError, match=message):
            assets.esm("a.js")
    finally:
        assets.esm.cache_clear()


def test_modules_keep_their_own_scope(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three modules each with a `local` of its own: joined, each still sees its own."""
    _static(tmp_path, monkeypatch, {
        "a.js": 'import { one } from "./b.js";\nimport { two as deux } from "./c.js";\n'
                "const local = 3;\nexport default { total: one + deux() + local };\n",
        "b.js": "const local = 1;\nexport const one = local;\n",
        "c.js": "const local = 2;\n/** @returns {number} */\n"
                "export function two() { return local; }\n",
    })  # fmt: skip
    try:
        joined = assets.esm("a.js")
    finally:
        assets.esm.cache_clear()
    module = tmp_path / "joined.mjs"
    module.write_text(joined + "\nimport view from './joined.mjs';\nconsole.log(view.total);\n")
    node = shutil.which("node")
    assert node, "Node.js is needed (scripts/test installs it)"
    run = subprocess.run([node, str(module)], capture_output=True, text=True)
    assert (run.returncode, run.stdout.strip()) == (0, "6"), run.stderr
