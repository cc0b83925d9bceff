"""The views as anywidget loads them: each one minified ES module (``bundles/<view>.js``),
bundled by esbuild from the small modules of ``static/`` (scripts/build-views.mjs, which
also writes the source maps beside them for developers; the comm never carries a map).

The bundles are committed, so neither installing the package nor a notebook needs Node; the
test command fails when one is not what the views build to now (``npm run build`` rewrites
them).
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
BUNDLES = HERE / "bundles"


def static_text(name: str) -> str:
    """A file of ``static/`` as text. Given a path instead, anywidget connects every widget
    instance to a class-level file watcher and none is ever freed (manzt/anywidget#929)."""
    return (STATIC / name).read_text(encoding="utf-8")


def esm(entry: str) -> str:
    """The view whose entry module is ``static/<view>/index.js``, bundled, as text (a path
    would be watched, as above): ``bundles/<view>.js``."""
    return (BUNDLES / f"{Path(entry).parent.name}.js").read_text(encoding="utf-8")
