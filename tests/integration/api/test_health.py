"""/healthz, /readyz and /metrics: what load balancers and Prometheus read."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from config import Config
from hub import create_app

METRICS_TOKEN = "operator-metrics-token"
OPERATOR = {"Authorization": f"Bearer {METRICS_TOKEN}"}


@pytest.fixture
def config(config):
    """The shared configuration with a metrics token: operators see /readyz's details and
    /metrics."""
    config.metrics_token = METRICS_TOKEN
    return config


def _app(config: Config, **changes):
    values = {**config.__dict__, **changes}
    return create_app(Config(**values))


def test_healthz_answers_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_reports_every_backend_ready(client):
    response = client.get("/readyz", headers=OPERATOR)

    assert response.status_code == 200
    body = response.json
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["storage"]["ok"] is True
    assert all(isinstance(c["ms"], (int, float)) for c in body["checks"].values())


def test_readyz_is_503_when_the_storage_directory_cannot_be_made(config, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the object store should be")
    app = _app(config, storage_url=f"file://{blocker / 'objects'}")
    try:
        response = app.test_client().get("/readyz", headers=OPERATOR)
    finally:
        app.extensions["eduhub"].close()

    assert response.status_code == 503
    assert response.json["status"] == "degraded"
    assert response.json["checks"]["storage"]["ok"] is False
    assert response.json["checks"]["storage"]["error"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_readyz_is_503_when_the_database_cannot_be_reached(config, tmp_path):
    app = _app(config, database_url=f"sqlite:///{tmp_path / 'missing' / 'dir' / 'hub.db'}")
    try:
        response = app.test_client().get("/readyz", headers=OPERATOR)
    finally:
        app.extensions["eduhub"].close()

    assert response.status_code == 503
    assert response.json["checks"]["database"]["ok"] is False
    assert response.json["checks"]["storage"]["ok"] is True


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_readyz_is_503_when_the_postgresql_server_is_gone(config):
    from tests.support.postgres import _spare_port

    app = _app(
        config, database_url=f"postgresql+psycopg://postgres@127.0.0.1:{_spare_port()}/nothing"
    )
    try:
        response = app.test_client().get("/readyz", headers=OPERATOR)
    finally:
        app.extensions["eduhub"].close()

    assert response.status_code == 503
    assert response.json["checks"]["database"]["ok"] is False


def test_health_endpoints_live_outside_the_versioned_api(client):
    assert client.get("/api/v1/healthz").status_code == 404


def _samples(text: str) -> dict:
    """(name, sorted labels) -> value, through prometheus_client's own parser."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_metrics_count_requests_by_endpoint_and_status(client):
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no-such-page")

    response = client.get("/metrics", headers=OPERATOR)

    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    samples = _samples(response.get_data(as_text=True))
    healthz = (("endpoint", "health.healthz"), ("method", "GET"))
    assert samples[("eduhub_http_requests_total", (*healthz, ("status", "200")))] == 2
    unmatched = (("endpoint", "unmatched"), ("method", "GET"), ("status", "404"))
    assert samples[("eduhub_http_requests_total", unmatched)] == 1
    assert samples[("eduhub_http_request_duration_seconds_count", healthz)] == 2
    assert (
        samples[
            (
                "eduhub_http_request_duration_seconds_bucket",
                tuple(sorted((*healthz, ("le", "+Inf")))),
            )
        ]
        == 2
    )


def test_metrics_show_outbox_sync_storage_and_dropped_events(client, hub):
    samples = _samples(client.get("/metrics", headers=OPERATOR).get_data(as_text=True))
    assert samples[("eduhub_storage_objects", ())] == 0
    assert samples[("eduhub_storage_bytes", ())] == 0
    assert samples[("eduhub_sync_runs", (("status", "failed"),))] == 0
    assert samples[("eduhub_usage_events_dropped_total", ())] == 0
    text = client.get("/metrics", headers=OPERATOR).get_data(as_text=True)
    assert "# TYPE eduhub_outbox_backlog gauge" in text


def test_api_docs_page_is_served_by_the_hub_itself(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "/api/v1/resources" in page and "/api/openapi.json" in page
    assert "http://" not in page and "https://" not in page  # no CDN: schools' networks block them
