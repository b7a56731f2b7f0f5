"""The package loads the application only when asked: the sandboxed child stays small."""

from __future__ import annotations

import subprocess
import sys

import pytest

import hub


def _loaded_after(statement: str) -> set[str]:
    probe = f"{statement}; import sys; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_the_sandboxed_child_loads_neither_flask_nor_the_application():
    loaded = _loaded_after("import hub.sandbox")
    assert not {"flask", "hub.app", "hub.bootstrap", "hub.api", "sqlalchemy"} & loaded


def test_create_app_is_still_reachable_from_the_package():
    assert "hub.app" in _loaded_after("from hub import create_app")
    assert hub.create_app.__module__ == "hub.app"


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        hub.nothing  # noqa: B018 - the lookup is what is tested
