"""CLI: `eduhub check`, `eduhub backup DIR` and `eduhub restore DIR`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hub.cli.context import pass_hub
from hub.cli.resources import progress_bar
from hub.services.backup import backup as run_backup
from hub.services.backup import read_manifest
from hub.services.backup import restore as run_restore
from hub.services.integrity import check_objects, count_recorded


@click.command("check")
@pass_hub
def check(hub):
    """Verify every stored object against its SHA-256. 校验存储文件。

    Reports each corrupt or missing object with the resources that use it; the exit status is 1 if
    any is bad.
    """

    with progress_bar(total=count_recorded(hub), unit="obj", desc="check") as bar:
        report = check_objects(hub, progress=bar.update)
    for bad in report.bad:
        click.echo(f"{bad.problem.upper()} {bad.sha256}", err=True)
        for resource_id, title in bad.resources:
            click.echo(f"    used by {resource_id}  {title}", err=True)
        if not bad.resources:
            click.echo("    used by no resource", err=True)
    click.echo(f"{report.checked} objects checked, {len(report.bad)} bad.")
    if report.bad:
        click.echo(
            "Restore the bad objects from a backup (eduhub restore) or upload those files again. "
            "请从备份恢复或重新上传这些文件。",
            err=True,
        )
        sys.exit(1)


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@pass_hub
def backup(hub, directory):
    """Write a consistent copy of the database and every stored object into DIRECTORY (new or
    empty). 备份。

    \b
    SQLite is copied with its online backup API, PostgreSQL with pg_dump (custom format);
    objects are hard-linked where the file system allows, else copied; manifest.json lists them all.
    """

    with progress_bar(total=count_recorded(hub), unit="obj", desc="backup") as bar:
        manifest = run_backup(hub, directory, progress=bar.update)
    counts = manifest["counts"]
    click.echo(
        f"Backed up the {manifest['database']['engine']} database "
        f"({counts['resources']} resources, {counts['users']} users) "
        f"and {counts['objects']} objects into {directory}"
    )


@click.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite a target database that already has data.")
@pass_hub
def restore(hub, directory, force):
    """Restore the database and objects from a backup DIRECTORY, after verifying every checksum.
    恢复。

    Refuses a target database that has data unless --force. Rebuild the search index afterwards:
    `eduhub search rebuild`.
    """

    manifest = read_manifest(directory)
    with progress_bar(total=len(manifest["objects"]), unit="obj", desc="verify") as bar:
        report = run_restore(hub, directory, force=force, progress=bar.update)
    click.echo(
        f"Restored the {report.database} database and {report.objects} objects "
        f"({report.restored_objects} copied into the store). Now run `eduhub search rebuild`."
    )


def register(main) -> None:
    main.add_command(check)
    main.add_command(backup)
    main.add_command(restore)
