"""A real `eduhub serve` (gunicorn, 2 workers): download events are written at a clean shutdown."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.request
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from config import Config
from hub.bootstrap import bootstrap
from hub.cli import main
from hub.db.models import Resource
from hub.db.models.usage import UsageEvent
from tests.integration.cli.test_serve_db import _wait_for
from tests.resource_factories import make_world, publish
from tests.support.postgres import _spare_port


@pytest.fixture
def env(tmp_path, monkeypatch):
    values = {
        "EDUHUB_DATA_DIR": str(tmp_path / "var"),
        "EDUHUB_SECRET_KEY": "test-secret",
        "EDUHUB_EVENTS_FLUSH_SECONDS": "600",  # nothing written before the shutdown
    }
    for name in ("EDUHUB_DATABASE_URL", "EDUHUB_STORAGE_URL", "EDUHUB_SEARCH_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("EDUHUB_BROKER_URL", raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return {**os.environ, **values}


def _fetch(url: str, method: str = "GET", **headers) -> int:
    request = urllib.request.Request(url, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def _serve(env, port, log):
    argv = [sys.executable, "-c", "from hub.cli import main; main()", "serve"]
    return subprocess.Popen(
        [*argv, "--port", str(port), "--workers", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


def test_served_downloads_count_once_and_survive_a_clean_shutdown(env, tmp_path):
    assert CliRunner().invoke(main, ["db", "upgrade"]).exit_code == 0
    hub = bootstrap(Config.from_env())
    rid = publish(hub, make_world(hub))["id"]
    port = _spare_port()
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/api/v1/resources/{rid}/files/{quote('课件.pdf')}"
    browser = {"User-Agent": "Mozilla/5.0 Firefox/120.0"}
    with open(tmp_path / "serve.log", "wb") as log:
        process = _serve(env, port, log)
        try:
            _wait_for(f"{base}/healthz", process, tmp_path / "serve.log")
            assert _fetch(url, **browser) == 200
            for part in ("bytes=0-9", "bytes=10-", "bytes=10-"):
                assert _fetch(url, Range=part, **browser) == 206
            assert _fetch(url, "HEAD", **browser) == 200
            etag = urllib.request.urlopen(urllib.request.Request(url, method="HEAD")).headers
            assert _fetch(url, **{"If-None-Match": etag["ETag"]}, **browser) == 304
            assert _fetch(url, **{"User-Agent": "Googlebot/2.1"}) == 200
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
    hub.stats.refresh()
    with hub.db.session() as session:
        events = session.scalars(select(UsageEvent)).all()
        assert session.get(Resource, rid).downloads == 1
    hub.close()
    assert len(events) == 4  # the browser's GETs: no HEAD, no 304, no robot
    assert all("127.0.0.1" not in " ".join(map(str, vars(e).values())) for e in events)
