"""The views' ES modules (``static/``), joined into the one module anywidget loads.

anywidget loads a view from one string, where relative imports cannot resolve; the views are
written as small ES modules anyway (one per panel, linted and type-checked as such). This
joins a view's entry module and everything it imports, in dependency order, each module in a
scope of its own, with no build step: ``import { a, b as c } from "./x.js";`` becomes
``const { a, b: c } = <x's exports>;`` and ``export`` is taken off declarations. Only that
much of the module syntax is allowed; anything else is an error naming the file.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"

_IMPORT = re.compile(r'^import\s*\{([^}]*)\}\s*from\s*"([^"]+)";[ \t]*$', re.M)
_DECLARATION = r"(?:async\s+)?(?:function\*?|class|const|let)"
_EXPORT = re.compile(rf"^export\s+{_DECLARATION}\s+([A-Za-z_$][\w$]*)", re.M)
_EXPORT_KEYWORD = re.compile(rf"^export\s+(?={_DECLARATION}\b)", re.M)
_ANY_MODULE_SYNTAX = re.compile(r"^\s*(?:import|export)\b", re.M)
_DEFAULT = re.compile(r"^export default\b", re.M)
# Whole-line comments (JSDoc for the type checker, notes for readers) are not sent: every
# widget's opening message carries its view's module.
_COMMENT_LINES = re.compile(r"^[ \t]*(?://[^\n]*|/\*\*?(?:[^*]|\*(?!/))*\*/[ \t]*)\n", re.M)


class AssetError(ValueError):
    """A view module uses module syntax the joiner does not handle."""


def static_text(name: str) -> str:
    """A file of ``static/`` as text. Given a path instead, anywidget connects every widget
    instance to a class-level file watcher and none is ever freed (manzt/anywidget#929)."""
    return (STATIC / name).read_text(encoding="utf-8")


@functools.cache
def esm(entry: str) -> str:
    """The view whose entry module is ``static/<entry>``, as one ES module."""
    order: list[Path] = []
    _visit((STATIC / entry).resolve(), order, [])
    parts = [f"// ganga_widgets: {entry} and the modules it imports, joined (widgets/assets.py)"]
    for path in order[:-1]:
        parts.append(_scoped(path))
    parts.append(_body(order[-1], entry=True))
    return "\n".join(parts)


def _visit(path: Path, order: list[Path], stack: list[Path]) -> None:
    """Depth first: a module comes after everything it imports."""
    if path in order:
        return
    if path in stack:
        cycle = " -> ".join(p.name for p in [*stack, path])
        raise AssetError(f"import cycle between the view modules: {cycle}")
    for _, source in _imports(path):
        _visit(_resolve(path, source), order, [*stack, path])
    order.append(path)


def _imports(path: Path) -> list[tuple[list[tuple[str, str]], str]]:
    """(the names imported, as (exported name, local name), and from where) per import."""
    found = []
    for names, source in _IMPORT.findall(path.read_text(encoding="utf-8")):
        pairs = []
        for item in names.split(","):
            words = item.split()
            if not words:
                continue
            if len(words) == 3 and words[1] == "as":
                pairs.append((words[0], words[2]))
            elif len(words) == 1:
                pairs.append((words[0], words[0]))
            else:
                raise AssetError(f"{path.name}: cannot read the import of {item.strip()!r}")
        found.append((pairs, source))
    return found


def _resolve(path: Path, source: str) -> Path:
    if not source.startswith("."):
        raise AssetError(f"{path.name}: imports {source!r}; views import only their own modules")
    target = (path.parent / source).resolve()
    if STATIC not in target.parents or not target.is_file():
        raise AssetError(f"{path.name}: imports {source!r}, which is not a module of static/")
    return target


def _name(path: Path) -> str:
    """The variable holding a module's exports: ``lib/dom.js`` -> ``__gw_lib_dom``."""
    relative = path.relative_to(STATIC).with_suffix("")
    return "__gw_" + re.sub(r"\W", "_", "_".join(relative.parts))


def _body(path: Path, entry: bool) -> str:
    text = path.read_text(encoding="utf-8")
    lines = []
    for pairs, source in _imports(path):
        target = _resolve(path, source)
        exported = set(_EXPORT.findall(target.read_text(encoding="utf-8")))
        missing = [name for name, _ in pairs if name not in exported]
        if missing:
            raise AssetError(
                f"{path.name}: imports {', '.join(missing)} from {source}, which does not export it"
            )
        names = ", ".join(name if name == local else f"{name}: {local}" for name, local in pairs)
        lines.append(f"const {{ {names} }} = {_name(target)};")
    text = _COMMENT_LINES.sub("", _IMPORT.sub("", text))
    text = _EXPORT_KEYWORD.sub("", text)
    if not entry and _DEFAULT.search(text):
        raise AssetError(f"{path.name}: only a view's entry module has a default export")
    rest = _DEFAULT.sub("", text) if entry else text
    leftover = _ANY_MODULE_SYNTAX.search(rest)
    if leftover:
        line = rest[leftover.start() :].splitlines()[0].strip()
        raise AssetError(f"{path.name}: module syntax the joiner does not handle: {line!r}")
    return "\n".join([*lines, text])


def _scoped(path: Path) -> str:
    """A module in a scope of its own, its exports the value of one variable."""
    exports = _EXPORT.findall(path.read_text(encoding="utf-8"))
    body = _body(path, entry=False)
    return (
        f"const {_name(path)} = (() => {{  // {path.relative_to(STATIC)}\n"
        f"{body}\nreturn {{ {', '.join(exports)} }};\n}})();"
    )
