"""The package's layout rules, checked from its source (run by scripts/test; exit 1 if broken).

- No import cycle between the package's modules, counting imports inside functions and
  under ``if TYPE_CHECKING:``: each names a dependency, wherever it is written.
- Only the Ganga adapter (``ganga_widgets.ganga_adapter``) imports ``ganga`` / ``GangaCore``.

Usage: python scripts/check_layout.py [package directory]   (default: ganga_widgets)
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

GANGA = ("ganga", "GangaCore")
ADAPTER = "ganga_widgets.ganga_adapter"


def modules(root: Path) -> dict[str, Path]:
    """Module name -> file, for every module of the package at ``root``."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> tuple[set[str], list[str]]:
    """(the package's modules this module imports, the external top-level names it imports)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    inside: set[str] = set()
    outside: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            # `from package import module` imports that module; `from m import f`, m itself
            targets = [
                f"{source}.{alias.name}" if f"{source}.{alias.name}" in known else source
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            if target in known:
                inside.add(target)
            elif not target.startswith("ganga_widgets"):
                outside.append(target.split(".")[0])
    inside.discard(name)
    return inside, outside


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every group of modules that import each other, directly or not (Tarjan's SCC)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def problems(root: Path) -> list[str]:
    known = modules(root)
    graph: dict[str, set[str]] = {}
    found = []
    for name, path in known.items():
        graph[name], outside = imports(name, path, known)
        ganga = sorted({top for top in outside if top in GANGA})
        if ganga and not (name == ADAPTER or name.startswith(ADAPTER + ".")):
            found.append(f"{name} imports {', '.join(ganga)}: only {ADAPTER} may")
    for group in cycles(graph):
        edges = [f"{a} -> {b}" for a in group for b in sorted(graph[a]) if b in group]
        found.append("import cycle: " + "; ".join(edges))
    return found


def main(argv: list[str]) -> int:
    root = Path(argv[1] if len(argv) > 1 else "ganga_widgets").resolve()
    found = problems(root)
    for problem in found:
        print(f"[check_layout] {problem}", file=sys.stderr)
    if not found:
        print(f"[check_layout] {len(modules(root))} modules: no import cycle; Ganga imported "
              f"only in {ADAPTER}")  # fmt: skip
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
