"""CLI: `eduhub db upgrade` and `eduhub db current` (schema migrations)."""

from __future__ import annotations

import tempfile

import click

from config import Config
from hub.db import migrate


@click.group("db")
def db():
    """Database schema: apply migrations, show the current revision. 数据库结构迁移。"""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Migrate to this revision.")
def upgrade_command(revision: str):
    """Apply pending migrations to EDUHUB_DATABASE_URL. Safe to run again: it does nothing when up
    to date."""

    url = Config.from_env().database_url
    before = migrate.current(url)
    after = migrate.upgrade(url, revision)
    if before == after:
        click.echo(f"Database already at {after}; nothing to do. 数据库已是最新。")
    else:
        click.echo(f"Database upgraded from {before or 'empty'} to {after}. 数据库已升级。")


@db.command("current")
def current_command():
    """Print the database's revision and whether it is the newest this hub knows."""

    url = Config.from_env().database_url
    revision = migrate.current(url)
    state = (
        "up to date"
        if revision == migrate.head()
        else f"behind (head is {migrate.head()}); run `eduhub db upgrade`"
    )
    click.echo(f"{revision or 'empty'} ({state})")


@db.command("revision")
@click.option(
    "-m", "--message", required=True, help="What the revision changes, e.g. 'add sources table'."
)
def revision_command(message: str):
    """For developers: write a new migration from the difference between the models and the newest
    revision."""

    with tempfile.TemporaryDirectory() as tmp:
        path = migrate.autogenerate(f"sqlite:///{tmp}/scratch.db", message)
    click.echo(f"Wrote {path}; read it, and check it on PostgreSQL (`make test`).")


def register(main) -> None:
    main.add_command(db)
