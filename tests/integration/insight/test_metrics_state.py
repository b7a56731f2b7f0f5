"""/metrics shows the hub's state from real work: stored files, the outbox, sync runs, and usage
events dropped when the buffer is full."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from prometheus_client.parser import text_string_to_metric_families

from hub.db.models.events import OutboxMessage
from tests.factories import auth_header
from tests.resource_factories import PDF_BYTES, make_world, publish

TOKEN = "metrics-state-token"
BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"}


@pytest.fixture
def config(config):
    config.metrics_token = TOKEN
    config.events_buffer = 1  # the second event has no room
    config.events_flush_seconds = 3600  # and nothing writes the first one meanwhile
    return config


def _scrape(client) -> dict:
    text = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).get_data(
        as_text=True
    )
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_storage_outbox_and_dropped_events(client, hub):
    world = make_world(hub)
    rid = publish(hub, world)["id"]
    with hub.db.session() as session:
        pending = session.query(OutboxMessage).filter(OutboxMessage.processed.is_(None)).count()
    url = f"/api/v1/resources/{rid}/files/{quote('课件.pdf')}"
    for who in ("t", "o", "c"):
        headers = {**BROWSER, **auth_header(world.tokens[who])}
        assert client.get(url, headers=headers).status_code == 200
    samples = _scrape(client)
    assert samples[("eduhub_storage_objects", ())] == 1
    assert samples[("eduhub_storage_bytes", ())] == len(PDF_BYTES)
    backlog = sum(v for (name, _), v in samples.items() if name == "eduhub_outbox_backlog")
    assert backlog == pending > 0
    assert samples[("eduhub_usage_events_dropped_total", ())] == hub.usage.dropped >= 2
    assert samples[("eduhub_sync_runs", (("status", "succeeded"),))] == 0
