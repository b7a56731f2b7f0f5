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
