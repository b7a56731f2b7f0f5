"""The project's import graph, read from the source with `ast`: layers, cycles and local imports.

`python -m tests.support.layers` prints the figures the architecture issue tracks (modules, cycles,
function-local imports, lines over 100 columns).
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("hub", "connectors", "metadata", "workers")
TOP_MODULES = ("config", "wsgi")


@dataclass(frozen=True)
class Import:
    """One import statement: who imports what, where, and whether it runs at module load."""

    source: str
    target: str
    line: int
    local: bool
    justified: bool


@dataclass
class Graph:
    modules: dict[str, Path] = field(default_factory=dict)
    imports: list[Import] = field(default_factory=list)

    def edges(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {name: set() for name in self.modules}
        for imp in self.imports:
            if imp.target in self.modules and imp.target != imp.source:
                out[imp.source].add(imp.target)
        return out


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_files() -> list[Path]:
    files = [ROOT / f"{name}.py" for name in TOP_MODULES]
    for package in PACKAGES:
        files += [p for p in (ROOT / package).rglob("*.py") if "versions" not in p.parts]
    return sorted(p for p in files if p.exists())


def read_graph() -> Graph:
    graph = Graph()
    for path in project_files():
        graph.modules[module_name(path)] = path
    for name, path in graph.modules.items():
        graph.imports += _imports_of(name, path, set(graph.modules))
    return graph


def _imports_of(name: str, path: Path, known: set[str]) -> list[Import]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    tree = ast.parse(text, filename=str(path))
    is_package = path.name == "__init__.py"
    out = []
    for node, local in _walk(tree):
        for target in _targets(node, name, is_package, known):
            justified = _has_comment(lines, node.lineno)
            out.append(Import(name, target, node.lineno, local, justified))
    return out


def _walk(tree: ast.Module):
    """Every import node, with whether it sits inside a function (runs late, hides cycles)."""
    stack = [(child, False) for child in tree.body]
    while stack:
        node, local = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            if not _type_checking_only(node):
                yield node, local
            continue
        inner = local or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        stack += [(child, inner) for child in ast.iter_child_nodes(node)]


def _type_checking_only(node) -> bool:
    return getattr(node, "_type_checking", False)


def _targets(node, name: str, is_package: bool, known: set[str]) -> list[str]:
    if isinstance(node, ast.Import):
        return [_nearest(alias.name, known) for alias in node.names if _nearest(alias.name, known)]
    base = _absolute(node, name, is_package)
    found = []
    for alias in node.names:
        candidate = f"{base}.{alias.name}" if base else alias.name
        target = candidate if candidate in known else _nearest(base, known)
        if target:
            found.append(target)
    return found


def _absolute(node: ast.ImportFrom, name: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = name.split(".")
    if not is_package:
        parts = parts[:-1]
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join(parts + ([node.module] if node.module else []))


def _nearest(dotted: str, known: set[str]) -> str | None:
    parts = dotted.split(".")
    while parts:
        if ".".join(parts) in known:
            return ".".join(parts)
        parts.pop()
    return None


def _has_comment(lines: list[str], lineno: int) -> bool:
    here = lines[lineno - 1]
    above = lines[lineno - 2].strip() if lineno >= 2 else ""
    return "#" in here or above.startswith("#")


def cycles(graph: Graph) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    edges, index, low, on_stack, stack, out = graph.edges(), {}, {}, set(), [], []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))
    for v in edges:
        if v not in index:
            visit(v)
    return out


def violations(graph: Graph, rules: list[tuple[str, str]]) -> list[str]:
    """Imports where a module under the first prefix imports one under the second."""
    found = []
    for imp in graph.imports:
        for source, target in rules:
            if _under(imp.source, source) and _under(imp.target, target):
                found.append(f"{imp.source}:{imp.line} imports {imp.target}")
    return found


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def long_lines(limit: int = 100) -> int:
    files = (
        project_files() + sorted((ROOT / "tests").rglob("*.py")) + sorted(ROOT.glob("bench/*.py"))
    )
    return sum(
        1 for p in files for line in p.read_text(encoding="utf-8").splitlines() if len(line) > limit
    )


def main() -> None:
    graph = read_graph()
    local = [imp for imp in graph.imports if imp.local]
    print(f"modules: {len(graph.modules)}")
    print(f"import cycles (counting function-local imports): {len(cycles(graph))}")
    for component in cycles(graph):
        print("  ", " <-> ".join(component))
    print(
        f"function-local imports: {len(local)} ({sum(not i.justified for i in local)} unexplained)"
    )
    print(f"lines over 100 columns (project, tests, bench): {long_lines()}")


if __name__ == "__main__":
    main()
