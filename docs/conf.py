"""Sphinx configuration: the documentation site, built by the test command with -W."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

project = "ganga_widgets"
author = "the ganga_widgets developers"
copyright = "2026, the ganga_widgets developers"
release = "0.1.0"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build"]
myst_heading_anchors = 3

# The API reference imports the package (not Ganga: that starts only when used).
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "undoc-members": False}
# Names from packages documented elsewhere that type hints mention.
nitpicky = False

html_theme = "pydata_sphinx_theme"
html_title = "ganga_widgets"
html_static_path = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
