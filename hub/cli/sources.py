"""CLI: sources, sync, and the worker and beat processes."""

from __future__ import annotations

import importlib
import sys
import time

import click

from config import Config
from connectors import kinds
from hub.cli.context import pass_hub
from hub.harvest.mirror import mirror_options
from hub.security.principal import SYSTEM

FINISHED = ("succeeded", "partial", "failed")
WORKER_GRACE = 30.0  # seconds a waiting command gives a worker to show its heartbeat
NO_WORKER_EXIT = 3  # not 1, which means the run itself failed
CELERY_APP = "workers.app"  # loaded by name, as `celery -A` does: hub never imports workers


def with_mirror_options(command):
    """The options that make a `hub` source a school mirror, shared by `add` and `set`."""
    options = [
        click.option(
            "--filter",
            "filters",
            multiple=True,
            help="Mirror: only the parent hub's records matching this search filter, with codes "
            "as in search, e.g. stage=primary or subject=math,chinese (repeatable; names: stage "
            "subject grade major edition volume type theme region).",
        ),
        click.option(
            "--window",
            help="Mirror: fetch files only between these hours, e.g. 22:00-06:00 (may cross "
            "midnight).",
        ),
        click.option("--timezone", help="Mirror: the window's time zone (default Asia/Shanghai)."),
        click.option("--rate", help="Mirror: bandwidth cap for its files, e.g. 2MB/s (0: no cap)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.group("sources")
def sources():
    """Harvest sources (national platform, partner hubs, OAI-PMH repositories). 数据源。"""


@sources.command("add")
@click.option("--name", required=True)
@click.option("--kind", required=True, type=click.Choice(kinds()))
@click.option("--url", required=True)
@click.option("--set", "set_spec", help="OAI-PMH set to harvest.")
@click.option("--metadata-prefix", help="OAI-PMH metadata prefix (oai_dc, lom).")
@click.option("--schedule", help="Five-field cron expression in UTC, e.g. '0 2 * * *'.")
@click.option(
    "--org", help="Organisation code the records belong to (default: one made for the source)."
)
@click.option(
    "--review", is_flag=True, help="Send harvested records to review instead of publishing them."
)
@click.option(
    "--fetch-files/--no-fetch-files",
    default=None,
    help="Also copy the files (default: only for hubs).",
)
@click.option(
    "--token", help="The harvest token the other hub issued to this one (sent to its origin only)."
)
@click.option(
    "--allow-private-host",
    is_flag=True,
    help="The source is on this hub's own network: allow its own host on a loopback or private "
    "address (other private hosts stay refused).",
)
@with_mirror_options
@pass_hub
def add(
    hub,
    name,
    kind,
    url,
    set_spec,
    metadata_prefix,
    schedule,
    org,
    review,
    fetch_files,
    token,
    allow_private_host,
    filters,
    window,
    timezone,
    rate,
):
    """Register a source; with --filter, --window or --rate a hub source is a school mirror."""
    mirror = mirror_options(filters, window, timezone, rate)  # checked before anything is made
    data = dict(
        name=name,
        kind=kind,
        url=url,
        set_spec=set_spec,
        metadata_prefix=metadata_prefix,
        schedule=schedule,
        org=org,
        review=review,
        allow_private_host=allow_private_host,
    )
    if token:
        data["options"] = {"token": token}
    if fetch_files is not None:
        data["fetch_files"] = fetch_files
    if mirror and kind != "hub":
        raise click.UsageError(
            "只有 hub 类型的数据源可作镜像。--filter, --window and --rate are for a hub source."
        )
    source = hub.sources.create(SYSTEM, data)
    click.echo(f"source {source['id']} {source['name']} ({source['kind']}) -> org {source['org']}")
    if mirror:
        _mirror(hub, source["id"], mirror)


def _mirror(hub, source_id: int, mirror: dict) -> None:
    settings = hub.mirrors.configure(SYSTEM, source_id, mirror)
    window = settings["window"] or "any hour"
    chosen = " ".join(f"{k}={','.join(v)}" for k, v in settings["selection"].items()) or "all"
    click.echo(
        f"mirror of {chosen}; files fetched {window} ({settings['timezone']}) at {settings['rate']}"
    )


@sources.command("set")
@click.argument("name")
@click.option("--url", help="A new address for the source.")
@click.option("--schedule", help="Five-field cron expression in UTC.")
@click.option("--token", help="A new harvest token from the other hub.")
@click.option(
    "--allow-private-host/--no-allow-private-host",
    default=None,
    help="Whether the source's own host may be on a loopback or private address.",
)
@with_mirror_options
@pass_hub
def set_source(
    hub, name, url, schedule, token, allow_private_host, filters, window, timezone, rate
):
    """Change the source NAME; its address is checked again. A mirror's options make a hub source
    a mirror, or change its selection, window or cap (--window '' for any hour)."""
    mirror = mirror_options(filters, window, timezone, rate)
    source_id = hub.sources.id_for_name(name)
    data = {"url": url, "schedule": schedule, "allow_private_host": allow_private_host}
    if token:
        data["options"] = {"token": token}
    if any(v is not None for v in data.values()):
        source = hub.sources.update(SYSTEM, source_id, data)
        click.echo(f"source {source['id']} {source['name']} {source['url']}")
    if mirror:
        _mirror(hub, source_id, mirror)


@sources.command("list")
@pass_hub
def list_sources(hub):
    """List sources with their last run."""
    for s in hub.sources.list(SYSTEM):
        run = s["last_run"]
        last = f"{run['status']} {run['counts']}" if run else "never synced"
        click.echo(
            f"{s['id']}\t{s['name']}\t{s['kind']}\t{s['url']}\t{s['schedule'] or '-'}\t{last}"
            + (f"\t{mirror_line(s['mirror'])}" if s.get("mirror") else "")
        )


def mirror_line(m: dict) -> str:
    """What a mirror holds and still has to fetch, on one line."""
    pending = m["pending"]
    return (
        f"mirror {m['window'] or 'any hour'} {m['rate']}: {m['mirrored']['files']} files here, "
        f"{pending['files']} pending ({_size(pending['bytes_left'])} left), {m['failed']} failed"
        + (f"; last error: {m['last_error']}" if m["last_error"] else "")
    )


def _size(count: int) -> str:
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if count >= size:
            return f"{count / size:.1f} {unit}"
    return f"{count} B"


@sources.command("fill")
@click.argument("name")
@click.option("--ignore-window", is_flag=True, help="Fetch now, even outside the mirror's window.")
@pass_hub
def fill(hub, name, ignore_window):
    """Fetch the mirror NAME's pending files now (the worker does it in the window each night)."""
    done = hub.mirrors.fill(hub.sources.id_for_name(name), ignore_window=ignore_window)
    click.echo(
        f"{done['status']}: {done['fetched']} fetched, {done['failed']} failed"
        + (f"; {done['error']}" if done["error"] else "")
    )
    if done["status"] == "busy":
        click.echo("另一个进程正在下载此镜像。Another process is filling this mirror.", err=True)


@click.command("sync")
@click.argument("name")
@click.option(
    "--full", is_flag=True, help="Harvest everything again instead of changes since the last run."
)
@click.option(
    "--wait",
    is_flag=True,
    help="Follow the run; exit non-zero if it failed or no worker is running to carry it out.",
)
@click.option("--inline", is_flag=True, help="Run the sync in this process instead of a worker.")
@pass_hub
def sync(hub, name, full, wait, inline):
    """Start a sync of the source NAME."""
    run = hub.sync.start(SYSTEM, hub.sources.id_for_name(name), full=full)
    click.echo(f"run {run['id']} queued")
    if inline:
        run = hub.sync.run(run["id"])
    elif wait:
        run = _follow(hub, run["id"])
    else:
        return
    _report(run)
    if run["status"] == "failed":
        sys.exit(1)


def _follow(hub, run_id: int, interval: float = 1.0) -> dict:
    shown, seen_worker = -1, time.monotonic()
    while True:
        run = hub.sync.get_run(SYSTEM, run_id)
        if run["status"] in FINISHED:
            return run
        if run["processed"] != shown and sys.stderr.isatty():
            click.echo(f"\r{run['status']}: {run['processed']} records", nl=False, err=True)
        if run["processed"] != shown or hub.tasks.worker_alive():
            seen_worker = time.monotonic()
        elif time.monotonic() - seen_worker > WORKER_GRACE:
            _no_worker(run_id)
        shown = run["processed"]
        time.sleep(interval)


def _no_worker(run_id: int) -> None:
    click.echo(
        f"\n没有正在运行的后台任务进程，同步 {run_id} 无法进行。请启动 `eduhub serve`（内置队列）"
        f"或 `eduhub worker`，或用 --inline 在本进程中同步。"
        f"No task worker is running, so run {run_id} cannot proceed: start `eduhub serve` "
        f"(embedded broker) or `eduhub worker`, or sync with --inline.",
        err=True,
    )
    sys.exit(NO_WORKER_EXIT)


def _report(run: dict) -> None:
    counts = " ".join(f"{k}={v}" for k, v in run["counts"].items())
    click.echo(f"run {run['id']} {run['status']}: {counts}")
    for error in run["errors"]:
        click.echo(f"  error: {error['message']}", err=True)


@click.command("worker", context_settings={"ignore_unknown_options": True})
@click.option("--concurrency", "-c", default=2, show_default=True)
@click.option(
    "--pool",
    "-P",
    default="threads",
    show_default=True,
    help="threads keeps one process, so one search-index writer.",
)
@click.option("--beat", "-B", is_flag=True, help="Also run the scheduler in this process.")
@click.option("--loglevel", "-l", default="INFO")
def worker(concurrency, pool, beat, loglevel):
    """Run a Celery worker for the configured broker."""
    celery = importlib.import_module(CELERY_APP).celery
    argv = [
        "worker",
        f"--concurrency={concurrency}",
        f"--pool={pool}",
        f"--loglevel={loglevel}",
        "--without-mingle",
        "--without-gossip",
    ]
    if beat:
        argv += ["--beat", "--scheduler=workers.beat:SourceScheduler", f"--schedule={_beat_file()}"]
    celery.worker_main(argv)


@click.command("beat")
@click.option("--loglevel", "-l", default="INFO")
def beat(loglevel):
    """Run the scheduler: the configured periodic tasks and each source's cron schedule."""
    celery = importlib.import_module(CELERY_APP).celery
    celery.start(
        [
            "beat",
            "--scheduler=workers.beat:SourceScheduler",
            f"--schedule={_beat_file()}",
            f"--loglevel={loglevel}",
        ]
    )


def _beat_file() -> str:

    config = Config.from_env()
    config.data_dir.mkdir(parents=True, exist_ok=True)
    return str(config.data_dir / "celerybeat-schedule")


def register(main) -> None:
    main.add_command(sources)
    main.add_command(sync)
    main.add_command(worker)
    main.add_command(beat)
