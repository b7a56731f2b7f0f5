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


@users.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--send", is_flag=True, help="E-mail each new user their link (EDUHUB_SMTP_URL).")
@click.option("--dry-run", is_flag=True, help="Check and report only; change nothing.")
@click.option("-v", "--verbose", is_flag=True, help="List every row's outcome.")
@pass_hub
def import_users(hub, file, send, dry_run, verbose):
    """Import users from CSV or .xlsx, all or nothing, without passwords.

    Columns (Chinese or English headers): email 邮箱, name 姓名, org 机构代码, role 角色
    (teacher, contributor, reviewer, org_admin; default teacher). Rows are matched by e-mail; an
    existing user gets the new name and role. Each new user gets a one-time set-password link
    (valid EDUHUB_SET_PASSWORD_DAYS days): printed as "EMAIL<TAB>LINK" lines, or mailed with
    --send (printed to the console unless EDUHUB_SMTP_URL names an SMTP server).

    \b
    Examples:
      eduhub users import teachers.csv > links.tsv
      EDUHUB_SMTP_URL=smtp://mailer:secret@mail.edu.nx.cn:587?starttls=1 \\
          eduhub users import teachers.csv --send
    """
    report = hub.user_imports.import_file(
        SYSTEM, file.read_bytes(), file.name, apply=not dry_run, send=send
    )
    _echo_report(report, verbose)
    if not send:
        for email, url in report.links.items():
            click.echo(f"{email}\t{url}")
    for email, reason in report.unsent:
        click.echo(f"not sent to {email}: {reason}", err=True)
    _exit_for(report, dry_run)


@users.command("link")
@click.option("--email", required=True)
@click.option(
    "--send", is_flag=True, help="E-mail the link (EDUHUB_SMTP_URL) instead of printing it."
)
@pass_hub
def new_link(hub, email, send):
    """A new one-time set-password link for one user (e.g. when theirs expired); audited.

    \b
    Examples:
      eduhub users link --email li@yc1.cn
      eduhub users link --email li@yc1.cn --send
    """
    url = hub.password_links.url(hub.password_links.issue(SYSTEM, email))
    if send:
        try:
            hub.user_imports.send_link(email, url)
        except OSError as exc:
            raise click.ClickException(
                f"邮件未能发出：{exc}。请检查 EDUHUB_SMTP_URL，或不加 --send 打印链接。"
                f"The mail was not sent ({exc}): check EDUHUB_SMTP_URL, or print the link "
                f"without --send."
            ) from exc
        click.echo(f"sent a set-password link to {email}")
    else:
        click.echo(f"{email}\t{url}")
