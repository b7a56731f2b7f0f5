"""The broker URL picks the task queue, as the other URLs pick storage and search."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import Config
from hub.tasks import queue_from_url
from hub.tasks.celery import (
    EMBEDDED_TRANSPORT,
    CeleryTaskQueue,
    celery_settings,
    heartbeat_for,
)
from hub.tasks.heartbeat import FileHeartbeat, RedisHeartbeat
from hub.tasks.memory import MemoryTaskQueue


def config(tmp_path: Path, broker_url: str | None = None) -> Config:
    overrides = {"broker_url": broker_url} if broker_url else {}
    return Config.from_env(data_dir=tmp_path, secret_key="k", **overrides)


def test_memory_url_gives_the_in_memory_queue(tmp_path):
    assert isinstance(queue_from_url(config(tmp_path, "memory://")), MemoryTaskQueue)


@pytest.mark.parametrize(
    "url", ["filesystem:///srv/eduhub/broker", "redis://localhost:6379/0", "amqp://rabbit//"]
)
def test_broker_urls_give_the_celery_queue(tmp_path, url):
    assert isinstance(queue_from_url(config(tmp_path, url)), CeleryTaskQueue)


def test_the_default_is_the_embedded_broker_with_atomic_writes_under_the_data_dir(
    tmp_path, monkeypatch
):
    monkeypatch.delenv("EDUHUB_BROKER_URL", raising=False)
    settings = celery_settings(config(tmp_path))

    assert settings["broker_transport"] == EMBEDDED_TRANSPORT
    folders = settings["broker_transport_options"]
    assert Path(folders["data_folder_in"]) == tmp_path / "broker" / "queue"
    assert Path(folders["control_folder"]).is_relative_to(tmp_path)


def test_redis_keeps_its_url_and_gets_a_visibility_timeout(tmp_path):
    settings = celery_settings(config(tmp_path, "redis://cache:6379/2"))

    assert settings["broker_url"] == "redis://cache:6379/2"
    assert "broker_transport" not in settings
    assert settings["broker_transport_options"]["visibility_timeout"] >= 3600


def test_heartbeats_are_a_file_on_the_embedded_broker_a_key_on_redis_and_ping_on_amqp(tmp_path):
    assert isinstance(heartbeat_for(config(tmp_path)), FileHeartbeat)
    assert isinstance(heartbeat_for(config(tmp_path, "redis://cache:6379/2")), RedisHeartbeat)
    assert heartbeat_for(config(tmp_path, "amqp://rabbit//")) is None
