"""CLI: `eduhub search rebuild` (a fresh index from the database) and `eduhub search reconcile`."""

from __future__ import annotations

import time

import click

from hub.cli.context import pass_hub
from hub.cli.resources import progress_bar


@click.group("search")
def search():
    """The search index. 搜索索引。"""


@search.command("rebuild")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help=(
        "Processes that read and analyse the records (default: one fewer than the cores, as this "
        "process adds to the index; 1: this process alone)."
    ),
)
@pass_hub
def rebuild(hub, workers):
    """Rebuild the search index from the database; searches keep answering from the old one
    meanwhile. 重建搜索索引。

    Run it after restoring a backup, changing EDUHUB_SEARCH_URL, or when search results look wrong.
    """
    service = hub.search
    total = service.count_indexable()
    started = time.perf_counter()
    with progress_bar(total=total, unit="doc", desc="index") as bar:
        count = service.rebuild(progress=bar.update, workers=workers)
    seconds = time.perf_counter() - started
    rate = count / seconds if seconds > 0 else 0.0
    click.echo(
        f"Indexed {count} resources in {seconds:.1f} s ({rate:,.0f}/s). 已索引 {count} 条资源。"
    )


@search.command("reconcile")
@pass_hub
def reconcile(hub):
    """Find and repair differences between the database and the search index. 核对并修复索引。"""
    report = hub.search.reconcile()
    click.echo(
        f"{report['indexed']} resources should be searchable: {report['missing']} were missing, "
        f"{report['stale']} out of date, {report['removed']} removed from the index."
    )


def register(main) -> None:
    main.add_command(search)
