"""CLI: `eduhub import` (bulk-load canonical records) and `eduhub seed-demo` (the demo data set)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hub.cli.context import pass_hub
from hub.demo import seed_demo as run_seed
from hub.services.bulk import BulkImporter


def progress_bar(**kwargs):
    """A tqdm bar on a terminal, silent when output goes to a file or a pipe."""
    from tqdm import tqdm  # only commands that show a progress bar pay for it

    return tqdm(disable=not sys.stderr.isatty(), dynamic_ncols=True, **kwargs)


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", metavar="CODE", help="Organisation for records that name none.")
@click.option(
    "--publish", is_flag=True, help="Publish the records at once instead of loading them as drafts."
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, 100_000),
    default=1000,
    show_default=True,
    help="Records per transaction.",
)
@pass_hub
def import_(hub, file, org, publish, batch_size):
    """Bulk-load canonical records from FILE, one JSON object a line. 批量导入资源。

    Each line has the fields of a resource record (title, stage, subjects, ...); `files` may list
    local files as {"name": ..., "path": ...}, paths relative to FILE. Bad lines are reported with
    their number and skipped; the exit status is 1 if any line failed.

    \b
    Examples:
      eduhub import records.jsonl --org nx-yc --publish
    """

    def report_error(error):
        click.echo(str(error), err=True)

    importer = BulkImporter(
        hub, org=org, publish=publish, batch_size=batch_size, on_error=report_error
    )
    with progress_bar(total=file.stat().st_size, unit="B", unit_scale=True, desc="import") as bar:
        report = importer.run(file, progress=bar.update)
    state = "published" if publish else "draft"
    click.echo(
        f"{report.lines} lines: {report.imported} imported ({state}), {report.failed} failed, "
        f"{report.files} files stored"
    )
    if report.failed:
        sys.exit(1)


@click.command("seed-demo")
@click.option(
    "--limit",
    type=click.IntRange(1),
    hidden=True,
    help="Seed only a sample of this many resources.",
)
@pass_hub
def seed_demo(hub, limit):
    """Load the demo data set: Ningxia's organisations, demo users and ~250 resources with real
    files. 加载演示数据。

    Safe to run again: what exists already is skipped. The demo passwords are printed once, when the
    users are created; change them before others can reach the hub.
    """

    def progress(items, total):
        return progress_bar(iterable=items, total=total, unit="res", desc="seed-demo")

    report = run_seed(hub, progress=progress, limit=limit)
    if not report.added_anything:
        click.echo(
            f"Demo data already loaded: nothing added ({report.skipped} demo resources present). "
            f"演示数据已存在，未新增任何内容。"
        )
        return
    click.echo(
        f"Added {report.orgs} organisations, {len(report.users)} users, "
        f"{report.resources} resources ({report.files} files); "
        f"{report.skipped} were already there."
    )
    if report.users:
        click.echo(
            "Demo users, with passwords generated now and shown only this once; change them with "
            "`eduhub users set-password --email E`. 演示账号（密码仅显示这一次）："
        )
        for user in report.users:
            role = "admin" if user.is_admin else f"{user.role} @ {user.org}"
            click.echo(f"  {user.email:<30} {user.password:<26} {role}")
    else:
        click.echo("Demo users existed already; their passwords were not changed.")


def register(main) -> None:
    main.add_command(import_)
    main.add_command(seed_demo)
