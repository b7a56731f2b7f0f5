"""The Celery application, bound to the Flask app: every task runs inside an application context."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from celery import Celery, Task
from celery.signals import worker_process_init

from config import Config

log = logging.getLogger(__name__)

_flask_app = None
_flask_lock = threading.Lock()


def celery_settings(config: Config) -> dict:
    """Celery settings for a hub configuration; the embedded broker is kombu's filesystem transport."""
    settings = dict(
        task_ignore_result=True,
        # A task is acknowledged after it ran, so a killed worker's task is delivered again (Redis, AMQP).
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue="eduhub",
        timezone="UTC",
        beat_schedule=dict(config.beat_schedule),
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )
    if config.embedded_broker:
        settings.update(
            broker_url="filesystem://",
            broker_transport_options=filesystem_folders(config),
            # the filesystem transport has no fanout: no remote control, no events
            worker_enable_remote_control=False,
            worker_send_task_events=False,
        )
    else:
        settings.update(
            broker_url=config.broker_url, broker_transport_options={"visibility_timeout": 3600}
        )
    return settings


def filesystem_folders(config: Config) -> dict:
    root = Path(config.broker_url.removeprefix("filesystem://") or config.data_dir / "broker")
    # Every folder under the data directory: kombu's default control folder is relative to the working directory.
    queue, processed, control = root / "queue", root / "processed", root / "control"
    queue.mkdir(parents=True, exist_ok=True)
    processed.mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "processed_folder": str(processed),
        "store_processed": False,
        "control_folder": str(control),
    }


class AppContextTask(Task):
    """Runs the task body inside the Flask application context of this worker process."""

    def __call__(self, *args, **kwargs):
        with flask_app().app_context():
            return super().__call__(*args, **kwargs)


def flask_app():
    """This process's Flask app, made on first use (after any fork, so no engine crosses a fork)."""
    global _flask_app
    with _flask_lock:
        if _flask_app is None:
            from hub import create_app

            _flask_app = create_app(Config.from_env())
        return _flask_app


@worker_process_init.connect
def _forget_parent_app(**_kwargs):
    global _flask_app
    _flask_app = None


def create_celery(config: Config | None = None) -> Celery:
    app = Celery("eduhub", task_cls=AppContextTask, include=["workers.tasks"])
    if config is not None:
        app.conf.update(celery_settings(config))
    else:
        # Read the environment only when the configuration is first needed (worker start, first send).
        app.on_configure.connect(
            lambda sender, **kw: sender.conf.update(celery_settings(Config.from_env())), weak=False
        )
    return app


celery = create_celery()


def client_for(hub) -> Celery:
    """A Celery app for sending tasks from this hub (web, CLI, worker), configured from its Config."""
    client = hub.__dict__.get("_celery_client")
    if client is None:
        client = Celery("eduhub-client", set_as_current=False)
        client.conf.update(celery_settings(hub.config))
        hub.__dict__["_celery_client"] = client
    return client


def send(hub, task: str, *args) -> None:
    """Queue a task by name; never blocks long when the broker is down (the outbox is the safety net)."""
    client_for(hub).send_task(f"workers.tasks.{task}", args=args, retry=False)


_last_notice = 0.0
NOTICE_INTERVAL = (
    1.0  # seconds; a burst of commits (an import, seed-demo) wakes the worker once, not per commit
)


def notify_outbox(hub) -> None:
    """Wake a worker to process the outbox; beat's periodic process_outbox catches anything left over."""
    global _last_notice
    now = time.monotonic()
    if now - _last_notice < NOTICE_INTERVAL:
        return
    _last_notice = now
    send(hub, "process_outbox")
