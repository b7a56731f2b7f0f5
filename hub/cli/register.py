"""CLI: `eduhub orgs import|export` (the school register) and `eduhub users import`."""

from __future__ import annotations

from pathlib import Path

import click

from hub.cli.accounts import orgs, users
from hub.cli.context import pass_hub
from hub.security.principal import SYSTEM


def _echo_report(report, verbose: bool) -> None:
    counts = report.counts()
    state = "applied" if report.applied else "NOT applied (nothing was changed)"
    click.echo(", ".join(f"{n} {k}" for k, n in counts.items()) + f"; {state}")
    if verbose:
        for kind in ("created", "updated", "unchanged"):
            for line, key in getattr(report, kind):
                click.echo(f"line {line}: {kind} {key}")
    for line, key, reason in report.failed:
        click.echo(f"line {line}: failed {key or '-'}: {reason}", err=True)


def _exit_for(report, dry_run: bool) -> None:
    if report.failed:
        raise click.exceptions.Exit(1)
    if dry_run:
        click.echo("dry run: nothing was changed")


@orgs.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and report only; change nothing.")
@click.option("-v", "--verbose", is_flag=True, help="List every row's outcome.")
@pass_hub
def import_orgs(hub, file, dry_run, verbose):
    """Import the school register from CSV (UTF-8 or GB18030) or .xlsx, all or nothing.

    Columns (Chinese or English headers): code 代码, school_id 学校标识码, name 名称,
    kind 类型, parent 上级代码, region 行政区划, stages 学段, rural 农村, boarding 寄宿,
    teaching_point 教学点. Rows are matched by code: created, updated or unchanged; a parent may
    come later in the file. If any row fails, every failure is listed with its line and nothing
    is changed (exit status 1).

    \b
    Examples:
      eduhub orgs import schools.csv
      eduhub orgs import 学校名册.xlsx --dry-run
    """
    report = hub.register.import_file(SYSTEM, file.read_bytes(), file.name, apply=not dry_run)
    _echo_report(report, verbose)
    _exit_for(report, dry_run)


@orgs.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_hub
def export_orgs(hub, file):
    """Write the register as CSV (UTF-8 with BOM) in the columns `orgs import` reads.

    \b
    Example:
      eduhub orgs export register.csv
    """
    file.write_bytes(hub.register.export_csv(SYSTEM))
    click.echo(f"wrote {file}")


def register(main) -> None:
    """The commands join the `orgs` and `users` groups that hub.cli.accounts adds to `main`."""
