"""`eduhub tokens create --org` and `eduhub sources add --token`: upward federation's commands."""

from __future__ import annotations

from tests.factories import PASSWORD, auth_header
from tests.integration.cli.test_accounts_cli import api_client, eduhub, make_tree  # noqa: F401

SECRET = "ehk_the-token-the-county-issued-to-this-hub-000"


def _user(run, email, *more):
    run("users", "create", "--email", email, "--password", PASSWORD, *more)


def test_an_org_bound_harvest_token_reads_the_feeds_only(eduhub, api_client):  # noqa: F811
    make_tree(eduhub)
    _user(eduhub, "head@xq1.cn", "--org", "xq-1", "--role", "org_admin")
    result = eduhub("tokens", "create", "--email", "head@xq1.cn", "--org", "xq-1")
    assert "scopes: harvest, org: xq-1" in result.stdout
    headers = auth_header(result.stdout.strip().splitlines()[-1])
    assert api_client.get("/api/v1/changes", headers=headers).status_code == 200
    assert api_client.get("/oai?verb=Identify", headers=headers).status_code == 200
    assert api_client.get("/api/v1/users/me", headers=headers).status_code == 403


def test_only_an_org_admin_of_the_subtree_may_own_one(eduhub):  # noqa: F811
    make_tree(eduhub)
    _user(eduhub, "li@xq1.cn", "--org", "xq-1", "--role", "teacher")
    result = eduhub("tokens", "create", "--email", "li@xq1.cn", "--org", "xq-1", ok=False)
    assert "org_admin" in result.output and "Traceback" not in result.output


def test_a_source_token_is_never_printed_again(eduhub, api_client):  # noqa: F811
    add = eduhub(
        "sources", "add", "--name", "county", "--kind", "hub", "--url", "http://127.0.0.1:9",
        "--allow-private-host", "--token", SECRET,
    )  # fmt: skip
    listed = eduhub("sources", "list")
    assert SECRET not in add.output + listed.output
    _user(eduhub, "root@hub.cn", "--admin")
    token = eduhub("tokens", "create", "--email", "root@hub.cn").stdout.strip().splitlines()[-1]
    answer = api_client.get("/api/v1/sources", headers=auth_header(token))
    assert SECRET not in answer.get_data(as_text=True)
    assert answer.json["sources"][0]["token_set"] is True
