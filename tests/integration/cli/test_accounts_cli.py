"""`eduhub orgs|users|tokens`: run through click on a fresh data directory, checked against the
API."""

import pytest
from click.testing import CliRunner

from config import Config
from hub import create_app
from hub.cli import main
from tests.factories import auth_header

PASSWORD = "correct horse battery"


@pytest.fixture
def eduhub(tmp_path, monkeypatch):
    """Run `eduhub ARGS...` against a migrated embedded database in a temporary data directory."""
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

    def run(*args, ok=True):
        result = runner.invoke(main, list(args), catch_exceptions=False)
        assert (result.exit_code == 0) == ok, result.output
        return result

    run("db", "upgrade")
    return run


@pytest.fixture
def api_client(eduhub):
    """A test client for the hub the CLI just wrote to (same environment)."""
    app = create_app(Config.from_env())
    yield app.test_client()
    app.extensions["eduhub"].close()


def make_tree(eduhub):
    eduhub(
        "orgs",
        "create",
        "--code",
        "nx",
        "--name",
        "宁夏回族自治区",
        "--kind",
        "province",
        "--region",
        "640000",
    )
    eduhub(
        "orgs",
        "create",
        "--code",
        "nx-yc",
        "--name",
        "银川市",
        "--kind",
        "city",
        "--parent",
        "nx",
        "--region",
        "640100",
    )
    eduhub(
        "orgs",
        "create",
        "--code",
        "xq-1",
        "--name",
        "兴庆一小",
        "--parent",
        "nx-yc",
        "--region",
        "640104",
    )


def test_token_printed_last_works_against_the_api(eduhub, api_client):
    make_tree(eduhub)
    eduhub(
        "users",
        "create",
        "--email",
        "li@xq1.cn",
        "--password",
        PASSWORD,
        "--name",
        "李老师",
        "--org",
        "xq-1",
        "--role",
        "contributor",
    )
    result = eduhub(
        "tokens", "create", "--email", "li@xq1.cn", "--name", "cron", "--expires-days", "30"
    )
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("ehk_") and " " not in token
    me = api_client.get("/api/v1/users/me", headers=auth_header(token))
    assert me.status_code == 200 and me.json["memberships"][0] == {
        "org": "xq-1",
        "org_name": "兴庆一小",
        "role": "contributor",
    }


def test_revoked_token_stops_working(eduhub, api_client):
    eduhub("users", "create", "--email", "li@xq1.cn", "--password", PASSWORD)
    token = eduhub("tokens", "create", "--email", "li@xq1.cn").stdout.strip().splitlines()[-1]
    [listed] = api_client.get("/api/v1/tokens", headers=auth_header(token)).json["tokens"]
    eduhub("tokens", "revoke", str(listed["id"]))
    assert api_client.get("/api/v1/users/me", headers=auth_header(token)).status_code == 401


def test_orgs_list_shows_the_tree(eduhub):
    make_tree(eduhub)
    lines = eduhub("orgs", "list").stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["nx", "  nx-yc", "    xq-1"]
    assert eduhub("orgs", "list", "--kind", "school").stdout.startswith(
        "xq-1\tschool\t640104\t兴庆一小"
    )


def test_users_list_shows_roles(eduhub):
    make_tree(eduhub)
    eduhub("users", "create", "--email", "admin@nx.cn", "--password", PASSWORD, "--admin")
    eduhub(
        "users",
        "create",
        "--email",
        "li@xq1.cn",
        "--password",
        PASSWORD,
        "--org",
        "xq-1",
        "--role",
        "reviewer",
    )
    lines = eduhub("users", "list").stdout.splitlines()
    assert lines == ["admin@nx.cn\tadmin\t-\t-", "li@xq1.cn\t-\t-\treviewer@xq-1"]
    assert eduhub("users", "list", "--org", "nx-yc").stdout.splitlines() == [
        "li@xq1.cn\t-\t-\treviewer@xq-1"
    ]


def test_errors_are_clean_messages_with_a_failing_exit_code(eduhub):
    make_tree(eduhub)
    duplicate = eduhub("orgs", "create", "--code", "xq-1", "--name", "again", ok=False)
    assert "xq-1" in duplicate.output and "Traceback" not in duplicate.output
    assert (
        "region"
        in eduhub(
            "orgs", "create", "--code", "x-2", "--name", "x", "--region", "999", ok=False
        ).output
    )
    assert (
        "password"
        in eduhub("users", "create", "--email", "a@b.cn", "--password", "short", ok=False).output
    )
    assert (
        "eduhub users create"
        in eduhub("tokens", "create", "--email", "nobody@x.cn", ok=False).output
    )


@pytest.mark.parametrize(
    "command",
    [
        ["orgs", "create"],
        ["orgs", "list"],
        ["users", "create"],
        ["users", "list"],
        ["tokens", "create"],
        ["tokens", "revoke"],
    ],
)
def test_every_command_has_help_with_examples(command):
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0 and "Example" in result.output
