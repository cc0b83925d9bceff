"""The package's layout rules, checked from its source (run by scripts/test; exit 1 if broken).

- Floors that run one way: the package's subpackages and top-level modules stand on the
  floors of ``FLOORS``, and a module imports only from its own subpackage or from a lower
  floor. Packages on one floor (siblings, as a second batch system beside ``condor``) do not
  import each other.
- No import cycle between the package's modules either.
- Only the Ganga adapter (``ganga_widgets.ganga_adapter``) imports ``ganga`` / ``GangaCore``.

Every import counts, inside functions and under ``if TYPE_CHECKING:`` too: each names a
dependency, wherever it is written.

Usage: python scripts/check_layout.py [package directory]   (default: ganga_widgets)
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

GANGA = ("ganga", "GangaCore")
ADAPTER = "ganga_widgets.ganga_adapter"
# From the ground up, along the data path: the batch systems and Ganga, then what a job is
# as plain data, then what acts on it and draws it, then submit() on top of everything.
FLOORS: list[tuple[str, ...]] = [
    ("vocabulary",),  # statuses, clean text, file names, the shape of Ganga's objects
    ("dispatcher", "kernel"),  # change notices for views; the kernel's identity
    ("condor",),  # HTCondor: bindings, event logs, the schedd, the watcher
    ("ganga_adapter",),  # Ganga: started, guarded, read; the only importer of Ganga
    ("session",),  # Ganga live in this process, HTCondor's news driving it
    ("jobdata",),  # a job as plain data: JobModel, rows of the dashboard
    ("actions",),  # kill, resubmit, hold, release
    ("views",),  # terminal (rich) and static HTML
    ("widgets",),  # the notebook widgets
    ("remote",),  # submit(): a Python function over a list, as one job
    ("export", "__init__"),  # the public names
]


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
    inside, outside = imports_by_line(name, path, known)
    return {target for target, _ in inside}, outside


def imports_by_line(
    name: str, path: Path, known: dict[str, Path]
) -> tuple[list[tuple[str, int]], list[str]]:
    """(the package's modules this module imports, with the line of each import; the
    external top-level names it imports)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    inside: list[tuple[str, int]] = []
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
                if target != name:
                    inside.append((target, node.lineno))
            elif not target.startswith("ganga_widgets"):
                outside.append(target.split(".")[0])
    return inside, outside


def place(module: str) -> str:
    """The floor's name a module of the package stands under: its subpackage, or itself
    for a top-level module (``__init__`` for the package's own)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def against_the_floors(known: dict[str, Path], root: Path) -> list[str]:
    """Every import that runs sideways or up, as ``file:line: ...``."""
    floor = {name: level for level, names in enumerate(FLOORS) for name in names}
    found = []
    unplaced = sorted({place(m) for m in known} - set(floor))
    if unplaced:
        found.append(f"not on any floor of check_layout.FLOORS: {', '.join(unplaced)}")
    for name, path in known.items():
        here = place(name)
        for target, line in imports_by_line(name, path, known)[0]:
            there = place(target)
            if there == here or here not in floor or there not in floor:
                continue
            if floor[there] >= floor[here]:
                way = "up" if floor[there] > floor[here] else "sideways"
                where = path.relative_to(root.parent)
                found.append(
                    f"{where}:{line}: {name} imports {target}, {way} from floor "
                    f"{floor[here]} ({here}) to {floor[there]} ({there})"
                )
    return found


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
    return found + against_the_floors(known, root)


def main(argv: list[str]) -> int:
    root = Path(argv[1] if len(argv) > 1 else "ganga_widgets").resolve()
    found = problems(root)
    for problem in found:
        print(f"[check_layout] {problem}", file=sys.stderr)
    if not found:
        print(f"[check_layout] {len(modules(root))} modules on {len(FLOORS)} floors: every "
              f"import runs down, no cycle; Ganga imported only in {ADAPTER}")  # fmt: skip
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
