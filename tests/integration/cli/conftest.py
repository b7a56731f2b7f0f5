"""The `eduhub` command on a migrated embedded database in a temporary data directory (modules with
other needs define their own `eduhub` fixture, which takes precedence)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from hub.cli import main


@pytest.fixture
def eduhub(tmp_path, monkeypatch):
    """`eduhub(*args)` returns click's result; nothing of the caller's environment leaks in."""
    for name in ("DATABASE_URL", "STORAGE_URL", "SEARCH_URL", "BROKER_URL", "SECRET_KEY"):
        monkeypatch.delenv(f"EDUHUB_{name}", raising=False)
    monkeypatch.setenv("EDUHUB_DATA_DIR", str(tmp_path / "var"))
    runner = CliRunner()

    def run(*args):
        return runner.invoke(main, list(args), catch_exceptions=False)

    assert run("db", "upgrade").exit_code == 0
    return run
