"""CLI: `eduhub stats refresh` -- fold new usage events into the aggregates now."""

from __future__ import annotations

import click

from hub.cli.context import pass_hub


@click.group("stats")
def stats():
    """Usage statistics. 使用统计。"""


@stats.command("refresh")
@pass_hub
def refresh(hub):
    """Bring the usage aggregates up to date and apply EDUHUB_EVENTS_DAYS. 更新使用统计。

    Beat runs this every five minutes; run it by hand after an import or to see figures at once.
    """
    done = hub.stats.refresh()
    click.echo(
        f"Aggregated {done['events']} new events over {done['days']} days; "
        f"purged {done['purged']} past retention. 已更新统计。"
    )


def register(main: click.Group) -> None:
    main.add_command(stats)
