"""CLI: `eduhub orgs`, `eduhub users` and `eduhub tokens`, acting as the system (an admin)."""

from __future__ import annotations

import click

from hub.cli.context import pass_hub
from hub.db.models.accounts import ORG_KINDS, ROLES
from hub.security.principal import SYSTEM
from hub.security.scopes import SCOPES


@click.group()
def orgs():
    """Organisations: schools, counties, cities, the province and alliances. 机构。"""


@orgs.command("create")
@click.option(
    "--code", required=True, help="Stable code: 2-64 ASCII letters, digits, '_', '.', '-'."
)
@click.option("--name", required=True, help="Display name, e.g. 银川市第一小学.")
@click.option("--kind", type=click.Choice(ORG_KINDS), default="school", show_default=True)
@click.option("--parent", metavar="CODE", help="Code of the organisation it belongs to.")
@click.option(
    "--region", metavar="CODE", help="Administrative region code (default: the parent's)."
)
@pass_hub
def create_org(hub, code, name, kind, parent, region):
    """Create an organisation.

    \b
    Examples:
      eduhub orgs create --code nx --name 宁夏回族自治区 --kind province --region 640000
      eduhub orgs create --code nx-yc --name 银川市 --kind city --parent nx --region 640100
      eduhub orgs create --code nx-yc-xq-01 --name 银川市第一小学 --parent nx-yc --region 640104
    """
    org = hub.accounts.create_org(
        SYSTEM, code=code, name=name, kind=kind, parent=parent, region=region
    )
    click.echo(f"created {org['kind']} {org['code']} ({org['name']})")


@orgs.command("list")
@click.option("--parent", metavar="CODE", help="Only the organisations under this one.")
@click.option("--kind", type=click.Choice(ORG_KINDS), help="Only organisations of this kind.")
@pass_hub
def list_orgs(hub, parent, kind):
    """List organisations as an indented tree: code, kind, region, name.

    \b
    Examples:
      eduhub orgs list
      eduhub orgs list --parent nx-yc --kind school
    """
    rows = hub.accounts.list_orgs(SYSTEM, parent=parent, kind=kind)
    top = min((o["depth"] for o in rows), default=0)
    for org in rows:
        indent = "  " * (org["depth"] - top) if not kind else ""
        click.echo(f"{indent}{org['code']}\t{org['kind']}\t{org['region'] or '-'}\t{org['name']}")


@click.group()
def users():
    """Users and their roles in organisations. 用户。"""


@users.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True, help="At least 8 characters.")
@click.option("--name", default="", help="Display name.")
@click.option("--admin", "is_admin", is_flag=True, help="Make an administrator of the whole hub.")
@click.option("--org", metavar="CODE", help="Organisation the role is held in.")
@click.option("--role", type=click.Choice(ROLES), help="Role in --org (default: teacher).")
@pass_hub
def create_user(hub, email, password, name, is_admin, org, role):
    """Create a user, optionally with a role in an organisation.

    \b
    Examples:
      eduhub users create --email admin@edu.nx.cn --password 'long secret' --admin
      eduhub users create --email li@yc1.cn --password 'long secret' --name 李老师 \\
          --org nx-yc-xq-01 --role contributor
    """
    user = hub.accounts.create_user(
        SYSTEM, email=email, password=password, name=name, is_admin=is_admin, org=org, role=role
    )
    click.echo(
        f"created user {user['id']} {user['email']}" + (" (admin)" if user["is_admin"] else "")
    )


@users.command("list")
@click.option("--org", metavar="CODE", help="Only members of this organisation and those under it.")
@pass_hub
def list_users(hub, org):
    """List users: email, admin flag, name, roles.

    \b
    Examples:
      eduhub users list
      eduhub users list --org nx-yc
    """
    for user in hub.accounts.list_users(SYSTEM, org=org):
        roles = ",".join(f"{m['role']}@{m['org']}" for m in user["memberships"]) or "-"
        click.echo(
            f"{user['email']}\t{'admin' if user['is_admin'] else '-'}\t"
            f"{user['name'] or '-'}\t{roles}"
        )


@users.command("set-password")
@click.option("--email", required=True)
@pass_hub
def set_password(hub, email):
    """Set a user's password: asked twice on a terminal, else read from the first line of stdin.

    \b
    Examples:
      eduhub users set-password --email admin@edu.nx.cn
      printf '%s\\n' "$NEW_PASSWORD" | eduhub users set-password --email li@yc1.cn
    """
    hub.accounts.set_password(SYSTEM, email=email, password=read_password())
    click.echo(f"password set for {email}")


def read_password() -> str:
    if click.get_text_stream("stdin").isatty():
        return click.prompt("New password 新密码", hide_input=True, confirmation_prompt=True)
    line = click.get_text_stream("stdin").readline()
    return line.rstrip("\r\n")


@users.command("disable")
@click.option("--email", required=True)
@pass_hub
def disable_user(hub, email):
    """Disable a user: they cannot log in, and their tokens and sessions stop working at once.

    \b
    Example:
      eduhub users disable --email li@yc1.cn
    """
    hub.accounts.set_active(SYSTEM, False, email=email)
    click.echo(f"disabled {email}; their tokens are revoked")


@users.command("enable")
@click.option("--email", required=True)
@pass_hub
def enable_user(hub, email):
    """Enable a disabled user again (their old tokens stay revoked).

    \b
    Example:
      eduhub users enable --email li@yc1.cn
    """
    hub.accounts.set_active(SYSTEM, True, email=email)
    click.echo(f"enabled {email}")


@click.group()
def tokens():
    """API tokens for scripts and other hubs. 令牌。"""


@tokens.command("create")
@click.option("--email", required=True, help="The token's owner.")
@click.option("--name", default="", help="What the token is for, shown in lists.")
@click.option(
    "--expires-days",
    type=click.IntRange(1, 3650),
    help="Expire after this many days (default: never).",
)
@click.option(
    "--scope",
    "scopes",
    type=click.Choice(SCOPES),
    multiple=True,
    help="What the token may do; repeat for several (default: all).",
)
@click.option(
    "--org",
    help="Bind a harvest token to this organisation's subtree: another hub then harvests every "
    "record its members may read (implies --scope harvest).",
)
@pass_hub
def create_token(hub, email, name, expires_days, scopes, org):
    """Create an API token; the token is printed alone on the last line.

    \b
    Examples:
      eduhub tokens create --email li@yc1.cn --name nightly-import --expires-days 90
      eduhub tokens create --email admin@county.cn --name province --scope harvest --org 640302
      TOKEN=$(eduhub tokens create --email li@yc1.cn | tail -n 1)
      curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8000/api/v1/users/me
    """
    token, info = hub.accounts.create_token(
        SYSTEM,
        email=email,
        name=name,
        expires_days=expires_days,
        scopes=list(scopes) or None,
        org=org,
    )
    expires = info["expires"].isoformat(timespec="seconds") if info["expires"] else "never"
    click.echo(
        f"token {info['id']} for {info['user']} (scopes: {' '.join(info['scopes'])}, "
        f"org: {info['org'] or '-'}, expires: {expires}); it is shown only once:"
    )
    click.echo(token)


@tokens.command("revoke")
@click.argument("token_id", type=int)
@pass_hub
def revoke_token(hub, token_id):
    """Revoke a token by its id; it stops working at once.

    \b
    Example:
      eduhub tokens revoke 12
    """
    hub.accounts.revoke_token(SYSTEM, token_id)
    click.echo(f"revoked token {token_id}")


def register(main) -> None:
    for group in (orgs, users, tokens):
        main.add_command(group)
