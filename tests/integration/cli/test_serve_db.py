"""`eduhub db upgrade` on a fresh data directory, and `eduhub serve` as a real process answering
/healthz."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
from click.testing import CliRunner

from hub.cli import main
from hub.db import migrate
from tests.support.postgres import _spare_port


@pytest.fixture
def env(tmp_path, monkeypatch):
    data_dir = tmp_path / "var"
    values = {"EDUHUB_DATA_DIR": str(data_dir), "EDUHUB_SECRET_KEY": "test-secret"}
    for name in (
        "EDUHUB_DATABASE_URL",
        "EDUHUB_STORAGE_URL",
        "EDUHUB_SEARCH_URL",
        "EDUHUB_BROKER_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return {**os.environ, **values}


def test_db_upgrade_migrates_a_new_data_directory_and_is_idempotent(env, tmp_path):
    url = f"sqlite:///{tmp_path / 'var' / 'hub.db'}"
    runner = CliRunner()

    first = runner.invoke(main, ["db", "upgrade"])
    second = runner.invoke(main, ["db", "upgrade"])
    current = runner.invoke(main, ["db", "current"])

    assert first.exit_code == 0, first.output
    assert migrate.is_up_to_date(url)
    assert second.exit_code == 0 and "nothing to do" in second.output
    assert migrate.head() in current.output and "up to date" in current.output


def test_db_upgrade_uses_the_database_url_from_the_environment(env, database_url, monkeypatch):
    monkeypatch.setenv("EDUHUB_DATABASE_URL", database_url)

    result = CliRunner().invoke(main, ["db", "upgrade"])

    assert result.exit_code == 0, result.output
    assert migrate.is_up_to_date(database_url)


def test_serve_migrates_the_embedded_database_and_answers_healthz(env, tmp_path):
    port = _spare_port()
    with open(tmp_path / "serve.log", "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from hub.cli import main; main()",
                "serve",
                "--port",
                str(port),
                "--workers",
                "1",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            body = _wait_for(f"http://127.0.0.1:{port}/healthz", process, tmp_path / "serve.log")
            assert body == b'{"status":"ok"}\n'
            assert migrate.is_up_to_date(f"sqlite:///{tmp_path / 'var' / 'hub.db'}")
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    assert process.returncode == 0


def _wait_for(url: str, process: subprocess.Popen, log_path) -> bytes:
    """Poll until the server answers; give up if it exits or takes far longer than start-up ever
    should."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"eduhub serve exited with {process.returncode}:\n"
                f"{log_path.read_text(errors='replace')}"
            )
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read()
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"eduhub serve did not answer within 60 s:\n{log_path.read_text(errors='replace')}")


def test_serve_rebuilds_an_embedded_index_an_older_release_built(tmp_path):
    """A release that adds a field to the index documents: `serve` rebuilds the old index from
    the database instead of answering every search with 503."""
    import tantivy

    from config import Config
    from hub.bootstrap import bootstrap
    from hub.cli.serve import prepare_search_index
    from tests.resource_factories import make_world, publish

    data_dir = tmp_path / "var"
    config = Config.from_env(
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'hub.db'}",
        storage_url=f"file://{data_dir / 'objects'}",
        search_url=f"tantivy://{data_dir / 'index'}",
        broker_url="memory://",
        secret_key="rebuild",
    )
    migrate.upgrade(config.database_url)
    hub = bootstrap(config)
    world = make_world(hub)
    publish(hub, world)
    hub.close()
    # What an older release left: the current generation built with a schema of other fields.
    old = data_dir / "index" / "gen-old"
    old.mkdir(parents=True, exist_ok=True)
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True)
    tantivy.Index(builder.build(), path=str(old))
    (data_dir / "index" / "CURRENT").write_text("gen-old")

    hub = bootstrap(config)
    assert hub.index.outdated()
    hub.close()
    prepare_search_index(config)
    hub = bootstrap(config)
    try:
        assert not hub.index.outdated()
        assert hub.index.count() == 1
        assert len(hub.search.search(world.teacher, q="有理数")["hits"]) == 1
    finally:
        hub.close()
