"""`eduhub users set-password|disable|enable` and `tokens create --scope` (issue 9)."""

import pytest
from click.testing import CliRunner

from config import Config
from hub import create_app
from hub.cli import main

PASSWORD = "correct horse battery"
NEW = "a brand new passphrase"


@pytest.fixture
def eduhub(tmp_path, monkeypatch):
    """`eduhub ARGS...` on a migrated embedded database (so the new migration runs too)."""
    for name in (
        "EDUHUB_DATABASE_URL",
        "EDUHUB_STORAGE_URL",
        "EDUHUB_SEARCH_URL",
        "EDUHUB_BROKER_URL",
        "EDUHUB_SECRET_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EDUHUB_DATA_DIR", str(tmp_path / "var"))
    runner = CliRunner()

    def run(*args, ok=True, input=None):
        result = runner.invoke(main, list(args), input=input, catch_exceptions=False)
        assert (result.exit_code == 0) == ok, result.output
        return result

    run("db", "upgrade")
    run("users", "create", "--email", "li@yc1.cn", "--password", PASSWORD)
    return run


@pytest.fixture
def api(eduhub):
    app = create_app(Config.from_env())
    yield app.test_client()
    app.extensions["eduhub"].close()


def login(api, password):
    return api.post("/api/v1/tokens", json={"email": "li@yc1.cn", "password": password})


def test_set_password_reads_stdin(eduhub, api):
    result = eduhub("users", "set-password", "--email", "li@yc1.cn", input=NEW + "\n")
    assert "password set" in result.output
    assert login(api, PASSWORD).status_code == 401
    assert login(api, NEW).status_code == 201


def test_set_password_refuses_a_short_one(eduhub, api):
    eduhub("users", "set-password", "--email", "li@yc1.cn", input="short\n", ok=False)
    assert login(api, PASSWORD).status_code == 201


def test_set_password_of_an_unknown_user_fails(eduhub):
    eduhub("users", "set-password", "--email", "nobody@yc1.cn", input=NEW + "\n", ok=False)


def test_disable_and_enable(eduhub, api):
    token = eduhub("tokens", "create", "--email", "li@yc1.cn").output.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/users/me", headers=headers).status_code == 200
    eduhub("users", "disable", "--email", "li@yc1.cn")
    assert api.get("/api/v1/users/me", headers=headers).status_code == 401
    assert login(api, PASSWORD).status_code == 401
    eduhub("users", "enable", "--email", "li@yc1.cn")
    assert login(api, PASSWORD).status_code == 201


def test_tokens_create_with_scopes(eduhub, api):
    result = eduhub(
        "tokens", "create", "--email", "li@yc1.cn", "--scope", "read", "--scope", "harvest"
    )
    assert "scopes: read harvest" in result.output
    headers = {"Authorization": f"Bearer {result.output.strip().splitlines()[-1]}"}
    assert api.get("/api/v1/users/me", headers=headers).status_code == 200
    assert api.post("/api/v1/tokens", json={}, headers=headers).status_code == 403
