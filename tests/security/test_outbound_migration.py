"""The outbound-policy migration scrubs what earlier versions stored: tokens in sync failures."""

from __future__ import annotations

import json

from sqlalchemy import create_engine, pool, text

from hub.db import migrate

LEAKY = {
    "record": {"title": "t"},
    "files": [
        {"name": "a.pdf", "url": "http://peer/a.pdf", "headers": {"Authorization": "Bearer x"}}
    ],
}


def test_upgrading_drops_stored_request_headers_and_unsafe_origin_urls(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate.upgrade(url, "dc2959441769")
    engine = create_engine(url, poolclass=pool.NullPool)
    with (
        engine.begin() as connection
    ):  # rows as the previous version wrote them (no foreign keys here)
        connection.execute(
            text(
                "INSERT INTO sync_failures (id, run_id, source_id, external_id, reason, payload,"
                " attempts, created) VALUES (1, 1, 1, 'r1', 'SHA-256', :p, 1, '2026-12-01')"
            ),
            {"p": json.dumps(LEAKY)},
        )
    migrate.upgrade(url)
    with engine.connect() as connection:
        payload = json.loads(connection.scalar(text("SELECT payload FROM sync_failures")))
    engine.dispose()
    assert payload["files"] == [{"name": "a.pdf", "url": "http://peer/a.pdf"}]
    assert "Bearer" not in json.dumps(payload)
