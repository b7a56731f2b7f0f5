"""The Celery task queue: the embedded broker (atomic filesystem), Redis or RabbitMQ."""

from __future__ import annotations

import logging
from functools import cached_property
from pathlib import Path

from celery import Celery

from config import Config
from hub.tasks.base import Task, TaskQueue
from hub.tasks.heartbeat import FileHeartbeat, Heartbeat, RedisHeartbeat

log = logging.getLogger(__name__)

TASK_PREFIX = "workers.tasks."  # the names workers/tasks.py registers its tasks under
EMBEDDED_TRANSPORT = "hub.tasks.filesystem:Transport"


def celery_settings(config: Config) -> dict:
    """Celery settings for a hub configuration, shared by the workers and by senders."""
    settings = dict(
        task_ignore_result=True,
        # Acknowledged after it ran: a killed worker's task is delivered again (Redis, AMQP).
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
            broker_transport=EMBEDDED_TRANSPORT,
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


def broker_root(config: Config) -> Path:
    return Path(config.broker_url.removeprefix("filesystem://") or config.data_dir / "broker")


def filesystem_folders(config: Config) -> dict:
    root = broker_root(config)
    # Every folder under the data directory: kombu's default control folder is relative to
    # the working directory.
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


def heartbeat_for(config: Config) -> Heartbeat | None:
    """Where workers of this broker write their heartbeat; None for AMQP (asked by ping)."""
    if config.embedded_broker:
        return FileHeartbeat(broker_root(config) / "workers")
    if config.broker_url.startswith(("redis://", "rediss://")):
        return RedisHeartbeat(config.broker_url)
    return None


class CeleryTaskQueue(TaskQueue):
    """Sends tasks by name, so the sender never imports the worker's code."""

    def __init__(self, config: Config):
        super().__init__()
        self.config = config

    @cached_property
    def client(self) -> Celery:
        client = Celery("eduhub-client", set_as_current=False)
        client.conf.update(celery_settings(self.config))
        return client

    @cached_property
    def heartbeat(self) -> Heartbeat | None:
        return heartbeat_for(self.config)

    def send(self, task: Task, *args) -> None:
        self.client.send_task(TASK_PREFIX + Task(task).value, args=args, retry=False)

    def worker_alive(self) -> bool:
        try:
            if self.heartbeat is not None:
                return bool(self.heartbeat.alive())
            return bool(self.client.control.ping(timeout=1.0))
        except Exception:  # a broker that cannot be asked has no worker we could count on
            log.warning("could not read the workers' heartbeat", exc_info=True)
            return False

    def close(self) -> None:
        if "client" in self.__dict__:
            self.client.close()
