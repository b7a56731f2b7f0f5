"""The pages and the API sit side by side on hub.http: the pages never import the API."""

from __future__ import annotations

import ast
from pathlib import Path

import hub

HUB = Path(hub.__file__).parent


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, function-local imports included."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def offenders(package: str, forbidden: str) -> list[str]:
    return [
        f"{path.relative_to(HUB.parent)} imports {name}"
        for path in sorted((HUB / package).rglob("*.py"))
        for name in sorted(imported_modules(path))
        if name == forbidden or name.startswith(forbidden + ".")
    ]


def test_the_web_pages_do_not_import_the_api():
    assert offenders("web", "hub.api") == []


def test_the_http_layer_imports_neither_the_api_nor_the_pages():
    assert offenders("http", "hub.api") + offenders("http", "hub.web") == []
