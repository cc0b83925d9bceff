"""What each widget sends the browser as its view: the bundle esbuild made of the view's
modules (widgets/assets.py, scripts/build-views.mjs). That the committed bundles are fresh is
checked by the test command itself (``node scripts/build-views.mjs --check``)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from ganga_widgets.widgets import assets
from ganga_widgets.widgets.job import JobWidget
from ganga_widgets.widgets.table import JobTable

pytestmark = pytest.mark.pure
VIEWS = [
    pytest.param(JobWidget, "job", id="JobWidget"),
    pytest.param(JobTable, "table", id="JobTable"),
]


@pytest.mark.parametrize(("widget", "view"), VIEWS)
def test_each_widget_sends_its_bundle_one_module_with_a_render(
    widget: type, view: str, tmp_path: Path
) -> None:
    sent = widget._esm
    assert sent == (assets.BUNDLES / f"{view}.js").read_text(encoding="utf-8")
    module = tmp_path / "view.mjs"
    module.write_text(sent)
    node = shutil.which("node")
    assert node, "Node.js is needed (scripts/test installs it)"
    probe = "const v = (await import(process.argv[1])).default; console.log(typeof v.render);"
    run = subprocess.run([node, "--input-type=module", "-e", probe, module.as_uri()],
                         capture_output=True, text=True)  # fmt: skip
    assert (run.returncode, run.stdout.strip()) == (0, "function"), run.stderr


@pytest.mark.parametrize(("widget", "view"), VIEWS)
def test_the_bundle_is_minified_carries_no_source_map_and_holds_every_panel(
    widget: type, view: str
) -> None:
    sent = widget._esm
    assert "sourceMappingURL" not in sent, "the browser could not fetch the map"
    assert "@param" not in sent, "the type checker's comments are not sent to the browser"
    # the map beside it, for developers, names the modules bundled: every panel of the view
    mapped = json.loads((assets.BUNDLES / f"{view}.js.map").read_text(encoding="utf-8"))
    sources = {(assets.BUNDLES / name).resolve() for name in mapped["sources"]}
    panels = {p.resolve() for p in (assets.STATIC / view).glob("*.js")}
    assert panels <= sources, f"not in the {view} bundle: {sorted(panels - sources)}"
    assert len(sent.encode()) < sum(p.stat().st_size for p in sources) / 2
