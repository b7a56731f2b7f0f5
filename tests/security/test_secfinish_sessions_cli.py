"""`eduhub users set-password` and `users disable` sign the user's browsers out (issue 9)."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from config import Config
from hub import create_app
from hub.cli import main

PASSWORD = "correct horse battery"
NEW = "a brand new passphrase"
EMAIL = "li@yc1.cn"


@pytest.fixture
def eduhub(tmp_path, monkeypatch):
    """`eduhub ARGS...` on an embedded database migrated by Alembic (the new column included)."""
    for name in ("DATABASE_URL", "STORAGE_URL", "SEARCH_URL", "BROKER_URL", "SECRET_KEY"):
        monkeypatch.delenv(f"EDUHUB_{name}", raising=False)
    monkeypatch.setenv("EDUHUB_DATA_DIR", str(tmp_path / "var"))
    runner = CliRunner()

    def run(*args, input=None):
        result = runner.invoke(main, list(args), input=input, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result

    run("db", "upgrade")
    run("users", "create", "--email", EMAIL, "--password", PASSWORD)
    return run


@pytest.fixture
def app(eduhub):
    app = create_app(Config.from_env())
    yield app
    app.extensions["eduhub"].close()


def browser(app, password=PASSWORD):
    """A test client signed in through the log-in form, as a browser would be."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {"email": EMAIL, "password": password, "csrf_token": token}
    assert client.post("/login", data=form).status_code == 302
    return client


def signed_in(client) -> bool:
    return client.get("/api/v1/users/me").status_code == 200


def test_set_password_on_the_command_line_signs_every_browser_out(eduhub, app):
    first, second = browser(app), browser(app)
    assert signed_in(first) and signed_in(second)
    eduhub("users", "set-password", "--email", EMAIL, input=NEW + "\n")
    assert not signed_in(first) and not signed_in(second)
    assert signed_in(browser(app, NEW))


def test_disable_on_the_command_line_signs_the_browser_out_for_good(eduhub, app):
    client = browser(app)
    eduhub("users", "disable", "--email", EMAIL)
    assert not signed_in(client)
    eduhub("users", "enable", "--email", EMAIL)
    assert not signed_in(client)
    assert signed_in(browser(app))
