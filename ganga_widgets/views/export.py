"""A notebook as a static HTML page whose widgets render offline, without any CDN.

nbconvert's HTML embeds the widget state a notebook saved, but the page loads the widget
manager (and anywidget's frontend) from public CDNs. Here those scripts are copied into a
folder beside the page, so the page and its folder open anywhere, offline:

    python -m ganga_widgets.export analysis.ipynb            # -> analysis.html + analysis_files/

The scripts come from the npm registry, pinned and checked by their published sha512, once;
they are kept in ``~/.cache/ganga_widgets/npm`` after that.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import shutil
import tarfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    integrity: str  # npm's dist.integrity of the tarball
    files: tuple[str, ...]  # paths inside the package we need

    @property
    def tarball(self) -> str:
        base = self.name.rsplit("/", 1)[-1]
        return f"https://registry.npmjs.org/{self.name}/-/{base}-{self.version}.tgz"


REQUIREJS = Package(
    "requirejs",
    "2.3.8",
    "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw==",
    ("require.js",),
)
HTML_MANAGER = Package(
    "@jupyter-widgets/html-manager",
    "1.0.15",
    "sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==",
    ("dist/embed-amd.js",),
)
ANYWIDGET = Package(
    "anywidget",
    "0.11.0",
    "sha512-LHZgW2j5UjyerZSZcO+BtZPXGMSORQV2bUT480hOR5x/BXS8sOradi/71amJfMueSEnKX0dqPwTfsOGHTsyZpQ==",
    ("dist/index.js",),
)
# Widget models the page can draw: the html manager has @jupyter-widgets/* built in.
PROVIDED = {"anywidget": ANYWIDGET}


def cache_dir() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(root) / "ganga_widgets" / "npm"


def fetch(package: Package, cache: Path | None = None) -> Path:
    """The package's needed files, unpacked in the cache (downloaded once, checked)."""
    folder = (cache or cache_dir()) / f"{package.name.replace('/', '__')}-{package.version}"
    if all((folder / f).exists() for f in package.files):
        return folder
    try:
        with urllib.request.urlopen(package.tarball, timeout=60) as response:
            data = response.read()
    except OSError as err:
        raise RuntimeError(
            f"cannot download {package.tarball} ({err}); the static export needs it once, then "
            f"keeps it in {folder.parent}. Copy it there from a machine with network access."
        ) from err
    algorithm, digest = package.integrity.split("-", 1)
    if base64.b64encode(hashlib.new(algorithm, data).digest()).decode() != digest:
        raise RuntimeError(f"{package.tarball} does not match its published {algorithm} digest")
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for name in package.files:
            member = tar.extractfile(f"package/{name}")
            if member is None:
                raise RuntimeError(f"{package.tarball} has no {name}")
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(member.read())
    return folder


def export_html(
    notebook: str | os.PathLike, output: str | os.PathLike | None = None, cache: Path | None = None
) -> Path:
    """Write ``notebook`` as HTML (default: beside it, ``.html``) with its saved widget
    state, and the scripts that draw the widgets in ``<name>_files/``. Returns the page."""
    import nbformat
    from nbconvert import HTMLExporter

    source = Path(notebook)
    page = Path(output) if output else source.with_suffix(".html")
    nb = nbformat.read(source, as_version=4)
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE)
    if not state:
        raise ValueError(
            f"{source} has no saved widget state, so its widgets cannot be drawn: save the "
            "notebook with it (JupyterLab: Settings > Save Widget State Automatically; "
            "nbclient/nbconvert --execute save it by default) and export again"
        )
    assets = page.with_name(page.stem + "_files")
    modules = _copy_assets(state, assets, cache)
    exporter = HTMLExporter(
        require_js_url=f"{assets.name}/require.js",
        widget_renderer_url=f"{assets.name}/embed-amd.js",
    )
    html, _ = exporter.from_notebook_node(nb)
    # Where the widget manager looks for modules such as anywidget; only there.
    loader = (
        f'<script data-jupyter-widgets-cdn="{assets.name}/modules/" '
        "data-jupyter-widgets-cdn-only></script>\n"
    )
    page.write_text(html.replace("</head>", loader + "</head>", 1), encoding="utf-8")
    (assets / "modules.json").write_text(json.dumps(modules, indent=1))
    return page


def _copy_assets(state: dict[str, Any], assets: Path, cache: Path | None) -> dict[str, str]:
    """require.js, the html manager and each widget module the state uses, laid out as the
    manager asks for them: ``modules/<name>@<version as saved>/dist/index.js``."""
    assets.mkdir(parents=True, exist_ok=True)
    shutil.copy(fetch(REQUIREJS, cache) / "require.js", assets / "require.js")
    shutil.copy(fetch(HTML_MANAGER, cache) / "dist" / "embed-amd.js", assets / "embed-amd.js")
    used = {
        (m.get("model_module"), m.get("model_module_version"))
        for m in state.get("state", {}).values()
    }
    modules = {}
    for name, version in sorted(used, key=str):
        if not name or name.startswith("@jupyter-widgets/"):
            continue  # built into the html manager
        package = PROVIDED.get(name)
        if package is None:
            raise ValueError(
                f"the notebook uses widgets of {name!r}, which this export cannot "
                f"draw offline (it knows: {', '.join(PROVIDED)})"
            )
        target = assets / "modules" / f"{name}@{version}" / "dist" / "index.js"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(fetch(package, cache) / "dist" / "index.js", target)
        modules[name] = f"{package.version} (saved as {version})"
    return modules


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m ganga_widgets.export",
        description="A notebook as HTML whose widgets render offline (no CDN).",
    )
    parser.add_argument("notebook")
    parser.add_argument("-o", "--output", help="the page to write (default: <notebook>.html)")
    args = parser.parse_args(argv)
    try:
        page = export_html(args.notebook, args.output)
    except (ValueError, RuntimeError, OSError) as err:
        parser.exit(2, f"error: {err}\n")
    print(f"wrote {page} and {page.stem}_files/")


if __name__ == "__main__":
    main()
