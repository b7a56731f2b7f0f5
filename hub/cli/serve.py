"""CLI: `eduhub serve`, the web and API processes under gunicorn (and the embedded worker)."""

from __future__ import annotations

import gc
import logging
import os
import shutil

import click
from gunicorn import glogging
from gunicorn.app.base import BaseApplication
from prometheus_client import multiprocess

import metadata.analysis
from config import Config
from hub import create_app, logs
from hub.bootstrap import bootstrap
from hub.db import migrate
from hub.search import index_from_url
from hub.search.spelling import pinyin_table
from hub.tasks.embedded import WorkerSupervisor
from metadata.vocabularies import load_vocabularies

log = logging.getLogger("hub.serve")


@click.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; 0.0.0.0 for every interface (put nginx in front in production).",
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Web processes. About one per core; each serves --threads requests at once.",
)
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 256),
    help="Requests each process serves at once (slow downloads hold one each).",
)
def serve(host: str, port: int, workers: int, threads: int):
    """Run the hub: web pages, the API, OAI-PMH, /healthz and /metrics.

    On the embedded SQLite database, pending migrations are applied first (on PostgreSQL run
    `eduhub db upgrade` yourself, once, before starting the web processes). On the embedded task
    broker a worker process is started beside the web processes; with Redis or RabbitMQ run
    `eduhub worker` and `eduhub beat` as their own services. Stop with Ctrl-C or SIGTERM.

    启动平台（网页、API、OAI-PMH）。使用内置数据库时会先自动升级数据库结构。
    """
    log_format = logs.chosen_format(default="json")
    os.environ[logs.FORMAT_ENV] = log_format  # for gunicorn's logger, set up in its own time
    logs.configure(log_format)
    config = Config.from_env()
    prepare_database(config)
    prepare_search_index(config)
    prepare_metrics_dir(config)
    # On the embedded broker the worker is ours to keep alive; elsewhere it is its own service.
    supervisor = WorkerSupervisor(config).start() if config.embedded_broker else None
    log.info("EduHub listening on http://%s:%s/ (data in %s)", host, port, config.data_dir)
    try:
        HubApplication(config, gunicorn_options(host, port, workers, threads)).run()
    finally:
        if supervisor is not None:
            supervisor.stop()


def gunicorn_options(host: str, port: int, workers: int, threads: int) -> dict:
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        # Threads, not sync workers: a teacher on a slow rural link must not hold a whole process.
        "worker_class": "gthread",
        "threads": threads,
        # With gthread this is the worker heartbeat, not a per-request limit: multi-GB uploads
        # may take an hour.
        "timeout": 120,
        "graceful_timeout": 30,
        "keepalive": 5,
        "sendfile": True,
        # The hub logs each request itself (hub.access, with its request id): no second line.
        "accesslog": None,
        "errorlog": "-",
        "logger_class": GunicornLogger,
        "proc_name": "eduhub",
        "worker_tmp_dir": "/dev/shm" if os.path.isdir("/dev/shm") else None,
        # gunicorn 24+ opens a control socket in $HOME; two hubs on one machine would fight over it.
        "control_socket_disable": True,
        "child_exit": _child_exit,
    }


class GunicornLogger(glogging.Logger):
    """gunicorn's own lines (workers booting, timeouts) in the hub's log format."""

    def setup(self, cfg):
        super().setup(cfg)
        logs.adopt("gunicorn.error", logs.chosen_format())


def prepare_metrics_dir(config: Config) -> None:
    """An empty PROMETHEUS_MULTIPROC_DIR under the data directory, so one scrape sees every worker
    (emptied at start: the files of a previous run's workers would be counted again)."""
    path = config.data_dir / "prometheus"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(mode=0o700, parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)


def _child_exit(server, worker) -> None:
    """A dead worker's live gauges go; its counters stay in the sums."""
    multiprocess.mark_process_dead(worker.pid)


def prepare_database(config: Config) -> None:
    """Migrate the embedded database; on a server database only warn (several hosts may start
    at once)."""

    if config.database_url.startswith("sqlite"):
        migrate.upgrade(config.database_url)
    elif not migrate.is_up_to_date(config.database_url):
        click.echo(
            "Warning: the database schema is not up to date; run `eduhub db upgrade`. "
            "数据库结构不是最新，请先运行 eduhub db upgrade。",
            err=True,
        )


def prepare_search_index(config: Config) -> None:
    """An embedded index built by an older release (a field added since) cannot be opened: rebuild
    it from the database before serving, as the embedded database is migrated. Only the index is
    opened for the check; the hub is built only when there is something to rebuild."""
    index = index_from_url(config.search_url, config.data_dir)
    try:
        outdated = index.outdated()
    finally:
        index.close()
    if not outdated:
        return
    log.warning("The search index was built by an older release: rebuilding it. 正在重建搜索索引。")
    hub = bootstrap(config)
    try:
        count = hub.search.rebuild()
        log.info("Search index rebuilt: %s resources. 搜索索引已重建。", count)
    finally:
        hub.close()


def _preload_shared() -> None:
    """Load the read-only dictionaries (word segmentation, vocabularies, the pinyin readings
    "did you mean" uses) once in the master, so forked workers share those pages instead of each
    holding its own copy; gc.freeze keeps the collector from touching them."""

    load_vocabularies()
    metadata.analysis.tokens(
        "预热分词词典"
    )  # loads the segmenter's dictionary with the vocabularies' words
    pinyin_table()
    gc.freeze()


class HubApplication(BaseApplication):
    """gunicorn's programmatic entry: the equivalent of `gunicorn wsgi:app` with our settings."""

    def __init__(self, config: Config, options: dict):
        self.hub_config = config
        self.options = {k: v for k, v in options.items() if v is not None}
        _preload_shared()
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            if (
                key in self.cfg.settings
            ):  # older gunicorns lack some settings; their defaults are fine
                self.cfg.set(key, value)

    def load(self):
        # Called in each worker after the fork: every process opens its own database pool and index.
        app = create_app(self.hub_config)
        # The app's ~160,000 long-lived objects would otherwise be walked by every full collection
        # (about 0.5 ms of a search, bench/RESULTS.md): collect start-up garbage, freeze the rest.
        gc.collect()
        gc.freeze()
        return app


def register(main) -> None:
    main.add_command(serve)
