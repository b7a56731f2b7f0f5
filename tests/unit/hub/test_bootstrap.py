"""The composition root: one hub per process, each service built once with what it names."""

from __future__ import annotations

import errno
import inspect

import click
import flask
import pytest

from config import Config
from hub.bootstrap import Hub, bootstrap
from hub.cli.context import pass_hub
from hub.search.base import SearchIndex
from hub.security.principal import ANONYMOUS
from hub.services.search import SearchService
from hub.tasks import Topic
from workers import app as worker_app


@pytest.fixture
def config(tmp_path):
    return Config.from_env(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'hub.db'}",
        storage_url="memory://",
        search_url="memory://",
        broker_url="memory://",
        secret_key="unit-test-secret",
        testing=True,
    )


@pytest.fixture
def env(tmp_path, monkeypatch):
    for name, value in {
        "EDUHUB_DATA_DIR": str(tmp_path),
        "EDUHUB_STORAGE_URL": "memory://",
        "EDUHUB_SEARCH_URL": "memory://",
        "EDUHUB_BROKER_URL": "memory://",
        "EDUHUB_SECRET_KEY": "unit-test-secret",
    }.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def no_flask_app(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("a Flask app was built outside the HTTP entrypoint")

    monkeypatch.setattr(flask.Flask, "__init__", refuse)


def _services(hub: Hub) -> dict[str, object]:
    return {
        name: value
        for name, value in vars(hub).items()
        if type(value).__module__.startswith("hub.services.")
    }


def test_the_index_and_the_search_service_have_names_that_say_their_role(config):
    hub = bootstrap(config)
    try:
        assert isinstance(hub.index, SearchIndex)
        assert isinstance(hub.search, SearchService)
    finally:
        hub.close()


def test_every_service_is_built_once_and_named_in_the_container(config):
    hub = bootstrap(config)
    try:
        services = _services(hub)
        assert {"accounts", "resources", "files", "uploads", "review", "oai", "outbox"} <= set(
            services
        )
        assert hub.review is hub.review and hub.uploads.files is hub.files
    finally:
        hub.close()


def test_services_take_named_collaborators_not_the_hub(config):
    hub = bootstrap(config)
    try:
        for name, service in _services(hub).items():
            params = set(inspect.signature(type(service)).parameters)
            assert not any("hub" in p for p in params), name
            assert not any(v is hub for v in vars(service).values()), name
    finally:
        hub.close()


def test_a_command_builds_its_hub_without_a_flask_app(env, no_flask_app):
    seen = []

    @pass_hub
    def command(hub):
        seen.append(hub)

    command()
    assert isinstance(seen[0], Hub)


def test_a_command_turns_a_domain_error_into_a_clean_cli_error(env, no_flask_app):
    @pass_hub
    def command(hub):
        hub.accounts.count_users(ANONYMOUS)

    with pytest.raises(click.ClickException):
        command()


def test_a_command_on_a_full_disk_says_so_and_other_errors_stay_bugs(env, no_flask_app):
    @pass_hub
    def full(hub):
        raise OSError(errno.ENOSPC, "No space left on device")

    @pass_hub
    def broken(hub):
        raise OSError(errno.EACCES, "denied")

    with pytest.raises(click.ClickException, match="disk is full"):
        full()
    with pytest.raises(PermissionError):
        broken()


def test_a_worker_process_builds_its_hub_without_a_flask_app(env, no_flask_app, monkeypatch):
    monkeypatch.setattr(worker_app, "_hub", None)
    hub = worker_app.worker_hub()
    try:
        assert isinstance(hub, Hub)
        assert worker_app.worker_hub() is hub
    finally:
        hub.close()
        worker_app._hub = None


def test_the_outbox_has_a_handler_for_every_topic_bound_to_what_it_uses(config):
    hub = bootstrap(config)
    try:
        assert set(hub.outbox.handlers) == set(Topic)
        assert set(hub.outbox.batch_handlers) <= set(Topic)
    finally:
        hub.close()
