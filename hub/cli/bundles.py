"""CLI: `eduhub bundle export|import|key`, offline bundles for schools on weak links."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hub.bundles import signing
from hub.bundles.selection import FILTERS
from hub.cli.context import pass_hub
from hub.cli.resources import progress_bar


@click.group("bundle")
def bundle():
    """Offline bundles: one signed ZIP of resources and their files. 离线资源包。

    A bundle opens on any computer (index.html in the unpacked folder) and loads into another hub
    with `eduhub bundle import`. See "Offline bundles" in README.md for the format.
    """


def filter_options(fn):
    for name in reversed(FILTERS):
        fn = click.option(
            f"--{name}", multiple=True, metavar="CODE", help=f"Only this {name} (repeatable)."
        )(fn)
    return click.option("--q", default="", help="Search words, as in the search box.")(fn)


@bundle.command("export")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@filter_options
@click.option(
    "--ids",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Only the resources whose ids this file lists, one a line.",
)
@pass_hub
def export_(hub, out, ids, **query):
    """Write the published resources matching the filters (all of them without any) to --out.

    \b
    Examples:
      eduhub bundle export --out junior-math.zip --stage junior --subject math
      eduhub bundle export --out picked.zip --ids ids.txt
    """
    wanted = None
    if ids is not None:
        wanted = [line.strip() for line in ids.read_text(encoding="utf-8").splitlines()]
        wanted = [line for line in wanted if line]
    with progress_bar(unit="B", unit_scale=True, desc="export") as bar:
        report = hub.bundle_exporter.export(
            out,
            query=query,
            ids=wanted,
            progress=bar.update,
            on_total=lambda total: setattr(bar, "total", total),
        )
    click.echo(
        f"{report.records} resources, {report.files} files ({report.bytes} bytes) -> {report.path}"
    )


@bundle.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--trust-key",
    multiple=True,
    metavar="KEY",
    help="A public key to trust (base64 or PEM, or a file holding one); repeatable. "
    "This hub's own key is always trusted.",
)
@click.option(
    "--allow-unsigned",
    is_flag=True,
    help="Accept a bundle with no signature or one by an unknown key (never a broken one).",
)
@click.option("--org", metavar="CODE", help="Organisation for the bundle's hub as a new source.")
@pass_hub
def import_(hub, file, trust_key, allow_unsigned, org):
    """Verify FILE completely, then load its files and records. 导入离线资源包。

    Nothing is stored unless the signature and every checksum are right. Running it again
    changes nothing; an interrupted import finishes when run again. The records keep their
    origin: the bundle's hub becomes a source of this hub. Exit status 1 if any record failed.
    """
    importer = hub.bundle_importer(trusted_keys=trust_key, allow_unsigned=allow_unsigned, org=org)
    with progress_bar(total=file.stat().st_size, unit="B", unit_scale=True, desc="import") as bar:
        importer.progress = bar.update
        report = importer.run(file)
    for error in report.errors:
        click.echo(error, err=True)
    click.echo(
        f"source {report.source}: {report.created} created, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.failed} failed; "
        f"{report.files_stored} files stored, {report.files_skipped} already here"
    )
    if report.failed:
        sys.exit(1)


@bundle.command("key")
@click.option("--pem", is_flag=True, help="Print the key as PEM instead of base64.")
@pass_hub
def key(hub, pem):
    """Print this hub's public signing key, for other hubs' --trust-key. 公钥。"""
    public = signing.hub_private_key(hub.config.data_dir).public_key()
    click.echo(signing.public_key_pem(public) if pem else signing.public_key_text(public))


def register(main) -> None:
    main.add_command(bundle)
