"""The Celery application, bound to the Flask app: every task runs inside an application context."""

from __future__ import annotations

import logging
import threading

from celery import Celery, Task
from celery.signals import worker_process_init, worker_ready, worker_shutdown

from config import Config
from hub import create_app
from hub.tasks.celery import celery_settings, heartbeat_for
from hub.tasks.heartbeat import HeartbeatThread

log = logging.getLogger(__name__)

_flask_app = None
_flask_lock = threading.Lock()
_heartbeat: HeartbeatThread | None = None


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
            _flask_app = create_app(Config.from_env())
        return _flask_app


@worker_process_init.connect
def _forget_parent_app(**_kwargs):
    global _flask_app
    _flask_app = None


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
    app = Celery("eduhub", task_cls=AppContextTask, include=["workers.tasks"])
    if config is not None:
        app.conf.update(celery_settings(config))
    else:
        # Read the environment only when the configuration is first needed (worker start).
        app.on_configure.connect(
            lambda sender, **kw: sender.conf.update(celery_settings(Config.from_env())), weak=False
        )
    return app


celery = create_celery()
