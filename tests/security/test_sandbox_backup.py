"""pg_dump and pg_restore get the database password through the environment, never in argv."""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy.engine import make_url

from hub.services import backup as backup_module
from hub.services.backup import backup, restore
from tests.factories import make_org

SECRET = "pw-never-in-argv-7f3a"


@pytest.fixture
def calls(monkeypatch):
    """Every command the backup runs, with its environment; the real command still runs."""
    seen = []
    real_run = subprocess.run

    def spy(command, *args, **kwargs):
        seen.append((list(command), dict(kwargs.get("env") or {})))
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(backup_module.subprocess, "run", spy)
    return seen


@pytest.mark.postgres_only
def test_pg_tools_get_the_password_in_the_environment_only(hub, tmp_path, calls, monkeypatch):
    make_org(hub, code="nx-pw", region="640104")
    # The test server trusts local connections: any password works; what matters is where it goes.
    url = make_url(hub.config.database_url).set(password=SECRET)
    monkeypatch.setattr(hub.config, "database_url", url.render_as_string(hide_password=False))

    backup(hub, tmp_path / "bk")
    restore(hub, tmp_path / "bk", force=True)

    tools = [command[0].rsplit("/", 1)[-1] for command, _ in calls]
    assert tools == ["pg_dump", "pg_restore"]
    for command, env in calls:
        assert not any(SECRET in part for part in command)
        assert env["PGPASSWORD"] == SECRET
    assert (tmp_path / "bk" / "hub.pgdump").stat().st_size > 0


def test_the_tools_url_carries_no_password():
    url = make_url(f"postgresql+psycopg://eduhub:{SECRET}@db.example:5432/hub")
    assert SECRET not in backup_module._libpq_url(url)
    assert backup_module._libpq_url(url).startswith("postgresql://eduhub@db.example:5432/hub")
    assert backup_module._pg_env(url)["PGPASSWORD"] == SECRET
