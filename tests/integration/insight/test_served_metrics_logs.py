"""A real `eduhub serve --workers 2`: one /metrics scrape adds up both workers, and every request
has a JSON log line with the request id its response carried."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request

import pytest
from click.testing import CliRunner
from prometheus_client.parser import text_string_to_metric_families

from hub.cli import main
from tests.integration.cli.test_serve_db import _wait_for
from tests.support.postgres import _spare_port

TOKEN = "scrape-token"


@pytest.fixture
def env(tmp_path, monkeypatch):
    values = {
        "EDUHUB_DATA_DIR": str(tmp_path / "var"),
        "EDUHUB_SECRET_KEY": "test-secret",
        "EDUHUB_METRICS_TOKEN": TOKEN,
    }
    for name in ("EDUHUB_DATABASE_URL", "EDUHUB_STORAGE_URL", "EDUHUB_SEARCH_URL"):
        monkeypatch.delenv(name, raising=False)
    for name in ("EDUHUB_BROKER_URL", "EDUHUB_LOG_FORMAT", "PROMETHEUS_MULTIPROC_DIR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return {**os.environ, **values}


@pytest.fixture
def served(env, tmp_path):
    assert CliRunner().invoke(main, ["db", "upgrade"]).exit_code == 0
    stale = tmp_path / "var" / "prometheus" / "counter_999999.db"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"left by a previous run")
    port, log_path = _spare_port(), tmp_path / "serve.log"
    argv = [sys.executable, "-c", "from hub.cli import main; main()", "serve"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [*argv, "--port", str(port), "--workers", "2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_for(f"{base}/healthz", process, log_path)
            yield base, log_path
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)


def _get(url: str, **headers) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers={"Connection": "close", **headers})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read().decode()


def _lines(log_path) -> list[dict]:
    out = []
    for raw in log_path.read_text(encoding="utf-8").splitlines():
        if raw.startswith("{"):
            out.append(json.loads(raw))
    return out


def _access(log_path, path: str) -> list[dict]:
    return [x for x in _lines(log_path) if x["logger"] == "hub.access" and x.get("path") == path]


def test_one_scrape_adds_up_both_workers(served):
    base, log_path = served
    sent = 0
    # New connections until both workers have answered (the kernel picks which one accepts).
    while len({x["pid"] for x in _access(log_path, "/readyz")}) < 2 and sent < 400:
        assert _get(f"{base}/readyz")[0] == 200
        sent += 1
    assert len({x["pid"] for x in _access(log_path, "/readyz")}) == 2
    status, headers, text = _get(f"{base}/metrics", Authorization=f"Bearer {TOKEN}")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(text)}
    readyz = [
        s
        for s in families["eduhub_http_requests"].samples
        if s.name == "eduhub_http_requests_total" and s.labels["endpoint"] == "health.readyz"
    ]
    assert sum(s.value for s in readyz) == sent == len(_access(log_path, "/readyz"))
    counts = [
        s
        for s in families["eduhub_http_request_duration_seconds"].samples
        if s.name.endswith("_count") and s.labels["endpoint"] == "health.readyz"
    ]
    assert sum(s.value for s in counts) == sent
    assert "counter_999999" not in text  # the previous run's files were cleared at start
    storage = families["eduhub_storage_objects"].samples[0].value
    assert storage == 0 and families["eduhub_outbox_backlog"].type == "gauge"
    assert {s.labels["status"] for s in families["eduhub_sync_runs"].samples} >= {"failed"}
    assert families["eduhub_usage_events_dropped"].samples[0].value == 0


def test_every_request_logs_a_json_line_with_its_request_id(served):
    base, log_path = served
    status, headers, _ = _get(f"{base}/healthz", **{"X-Request-Id": "lb-7f3a.42"})
    assert status == 200 and headers["X-Request-Id"] == "lb-7f3a.42"
    line = _access(log_path, "/healthz")[-1]
    assert line["request_id"] == "lb-7f3a.42"
    assert line["method"] == "GET" and line["status"] == 200 and line["duration"] >= 0
    assert {"time", "level", "logger", "message"} <= set(line)
    # A forged id (spaces, a fake second log line) is replaced by one of the hub's own.
    status, headers, _ = _get(f"{base}/api/v1/nothing-here", **{"X-Request-Id": 'x" y'})
    assert status == 404
    made = headers["X-Request-Id"]
    assert made != 'x" y' and len(made) == 32
    assert [x["request_id"] for x in _access(log_path, "/api/v1/nothing-here")] == [made]
    for raw in log_path.read_text(encoding="utf-8").splitlines():
        if raw.strip():
            json.loads(raw)  # every line the served hub wrote is one JSON object
