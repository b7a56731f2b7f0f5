"""`eduhub sync NAME --wait` follows a run when a worker is alive, and says so and exits non-zero
when none is, instead of waiting forever."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from hub.cli import main
from hub.cli.sources import NO_WORKER_EXIT
from hub.tasks.embedded import config_env
from tests.integration.workers.conftest import wait_for


@pytest.fixture
def eduhub(config, monkeypatch):
    """`eduhub ARGS...` in this process, on the test's hub, with a short grace period."""
    for name, value in config_env(config).items():
        if name.startswith("EDUHUB_"):
            monkeypatch.setenv(name, value)
    monkeypatch.setattr("hub.cli.sources.WORKER_GRACE", 1.0)

    def run(*args):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return run


def test_sync_wait_without_a_worker_exits_with_a_clear_message(hub, make_source, eduhub):
    make_source(3)

    result = eduhub("sync", "fake-src", "--wait")

    assert result.exit_code == NO_WORKER_EXIT
    assert "No task worker is running" in result.output and "eduhub worker" in result.output
    assert "没有正在运行的后台任务进程" in result.output


def test_sync_wait_follows_the_run_to_its_end_when_a_worker_is_alive(
    hub, make_source, eduhub, start_worker
):
    make_source(3)
    start_worker()
    wait_for(hub.tasks.worker_alive, what="the worker's heartbeat")

    result = eduhub("sync", "fake-src", "--wait")

    assert result.exit_code == 0, result.output
    assert "succeeded: created=3" in result.output


@pytest.mark.parametrize("broker_url", ["embedded"], indirect=True)
def test_sync_wait_on_the_memory_broker_says_no_worker_will_come(
    hub, make_source, eduhub, monkeypatch
):
    make_source(3)
    monkeypatch.setenv("EDUHUB_BROKER_URL", "memory://")

    result = eduhub("sync", "fake-src", "--wait")

    assert result.exit_code == NO_WORKER_EXIT and "--inline" in result.output


def test_sync_inline_needs_no_worker(hub, make_source, eduhub):
    make_source(3)

    result = eduhub("sync", "fake-src", "--inline")

    assert result.exit_code == 0 and "succeeded" in result.output
