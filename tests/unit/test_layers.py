"""The import layers hold: hub never reaches into workers, pages never into the API, no cycles."""

from __future__ import annotations

import ast

import pytest

from tests.support import layers

RULES = [
    ("hub", "workers"),  # workers import the hub, never the other way
    ("hub.web", "hub.api"),  # pages and API share hub.http beneath them
    ("hub.api", "hub.web"),
    ("hub.http", "hub.api"),  # the HTTP layer sits beneath both
    ("hub.http", "hub.web"),
    ("hub.web", "hub.db"),  # pages never touch the session: they call a service
    ("hub.db", "connectors"),  # the database knows nothing of sources
    ("hub.db", "hub.services"),
    ("metadata", "hub"),  # metadata is a library the hub uses
    ("connectors", "hub.db"),  # connectors never touch the database
    ("connectors", "hub.services"),
]

# Beneath the HTTP layer nothing knows it is serving a request (the CLI and workers have none);
# the pages reach the database only through services.
FORBIDDEN_LIBRARIES = [
    (package, "flask")
    for package in (
        "hub.services",
        "hub.db",
        "hub.storage",
        "hub.search",
        "hub.tasks",
        "hub.bootstrap",
    )
] + [("hub.web", "sqlalchemy")]


@pytest.fixture(scope="module")
def graph():
    return layers.read_graph()


def test_graph_reads_every_module(graph):
    assert "hub.services.resources" in graph.modules
    assert any(imp.target == "hub.db" for imp in graph.imports)


@pytest.mark.parametrize(("source", "target"), RULES, ids=lambda v: v)
def test_layer_rule_holds(graph, source, target):
    assert layers.violations(graph, [(source, target)]) == []


def test_no_import_cycles_even_through_function_local_imports(graph):
    assert layers.cycles(graph) == []


def _unexplained(graph) -> list[str]:
    return [
        f"{imp.source}:{imp.line} imports {imp.target}"
        for imp in graph.imports
        if imp.local and not imp.justified
    ]


def test_every_function_local_import_says_why(graph):
    assert _unexplained(graph) == []


def _libraries(path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
    return names


@pytest.mark.parametrize(("package", "library"), FORBIDDEN_LIBRARIES, ids=lambda v: v)
def test_library_stays_out_of_the_layer(graph, package, library):
    offenders = [
        name
        for name, path in graph.modules.items()
        if (name == package or name.startswith(package + ".")) and library in _libraries(path)
    ]
    assert offenders == []
