"""The Celery application; its tasks reach the hub `bootstrap` builds once per worker process."""

from __future__ import annotations

import logging
import threading

from celery import Celery
from celery.signals import worker_process_init, worker_ready, worker_shutdown

from config import Config
from hub.bootstrap import Hub, bootstrap
from hub.tasks.celery import celery_settings, heartbeat_for
from hub.tasks.heartbeat import HeartbeatThread

log = logging.getLogger(__name__)

_hub: Hub | None = None
_hub_lock = threading.Lock()
_heartbeat: HeartbeatThread | None = None


def worker_hub() -> Hub:
    """This process's hub, built on first use (after any fork, so no engine crosses a fork)."""
    global _hub
    with _hub_lock:
        if _hub is None:
            _hub = bootstrap(Config.from_env())
        return _hub


@worker_process_init.connect
def _forget_parent_hub(**_kwargs):
    global _hub
    _hub = None


@worker_ready.connect
def _start_heartbeat(**_kwargs):
    """Tell waiting commands (`eduhub sync --wait`) that a worker is consuming this broker."""
    global _heartbeat
    heartbeat = heartbeat_for(Config.from_env())
    if heartbeat is not None:
        _heartbeat = HeartbeatThread(heartbeat)
        _heartbeat.start()


@worker_shutdown.connect
def _stop_heartbeat(**_kwargs):
    if _heartbeat is not None:
        _heartbeat.stop()


def create_celery(config: Config | None = None) -> Celery:
    app = Celery("eduhub", include=["workers.tasks"])
    if config is not None:
        app.conf.update(celery_settings(config))
    else:
        # Read the environment only when the configuration is first needed (worker start).
        app.on_configure.connect(
            lambda sender, **kw: sender.conf.update(celery_settings(Config.from_env())), weak=False
        )
    return app


celery = create_celery()
