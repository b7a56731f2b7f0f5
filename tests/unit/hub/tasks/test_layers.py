"""Nothing under hub/ imports workers/, not even inside a function: workers import the hub."""

from __future__ import annotations

import ast
from pathlib import Path

import hub

HUB = Path(hub.__file__).parent


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_no_hub_module_imports_workers():
    offenders = {
        str(path.relative_to(HUB.parent)): sorted(
            name for name in imported_modules(path) if name.split(".")[0] == "workers"
        )
        for path in HUB.rglob("*.py")
    }

    assert {path: names for path, names in offenders.items() if names} == {}
