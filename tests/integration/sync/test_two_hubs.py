"""Two hubs on loopback: B follows A's changes feed (records and files) with the hub connector."""

from __future__ import annotations

import io
import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from config import Config
from hub import create_app
from hub.db import Base
from hub.db.models import Resource
from hub.security.principal import SYSTEM
from tests.factories import make_org
from tests.resource_factories import PDF_BYTES, valid_record


@pytest.fixture
def hub_a_url(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def hub_b(tmp_path):
    data_dir = tmp_path / "b"
    data_dir.mkdir()
    config = Config.from_env(
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'hub.db'}",
        storage_url=f"file://{data_dir / 'objects'}",
        search_url=f"tantivy://{data_dir / 'index'}",
        broker_url="memory://",  # no worker: the tests run the outbox themselves
        secret_key="b",
        testing=True,
    )
    app = create_app(config)
    hub = app.extensions["eduhub"]
    Base.metadata.create_all(hub.db.engine)
    yield hub
    hub.close()


def publish(hub, record_id):
    hub.resources.act(SYSTEM, record_id, "submit")
    return hub.resources.act(SYSTEM, record_id, "publish")


def create_published(hub, title, body=PDF_BYTES):
    draft = hub.resources.create(SYSTEM, valid_record(org="nx-a", title=title))
    hub.files.upload(
        SYSTEM, draft["id"], "课件.pdf", io.BytesIO(body), content_length=len(body), digest=None
    )
    return publish(hub, draft["id"])


def sync_b(hub_b, source_id):
    run = hub_b.sync.start(SYSTEM, source_id)
    return hub_b.sync.run(run["id"])


def mirrored(hub_b):
    with hub_b.uow() as uow:
        return {
            r.external_id: (r.status, r.title, sorted((f.name, f.sha256) for f in r.files))
            for r in uow.session.scalars(
                select(Resource).where(Resource.source_id.is_not(None))
            ).all()
        }


def test_b_follows_creations_new_versions_and_withdrawals_on_a(hub, hub_a_url, hub_b):
    make_org(hub, code="nx-a")
    first = create_published(hub, "黄河文化导读")
    second = create_published(hub, "新能源科普", body=PDF_BYTES + b"% second\n")
    source = hub_b.sources.create(
        SYSTEM, {"name": "hub-a", "kind": "hub", "url": hub_a_url, "allow_private_host": True}
    )
    assert source["fetch_files"] is True

    run = sync_b(hub_b, source["id"])
    assert run["status"] == "succeeded", run
    assert run["counts"]["created"] == 2
    copies = mirrored(hub_b)
    assert copies[first["id"]][:2] == ("published", "黄河文化导读")
    assert copies[first["id"]][2] == [("课件.pdf", first["files"][0]["sha256"])]

    draft = hub.resources.act(SYSTEM, first["id"], "new-version")
    hub.resources.update(SYSTEM, draft["id"], {"title": "黄河文化导读（第二版）"})
    newer = publish(hub, draft["id"])
    hub.resources.withdraw(SYSTEM, second["id"])

    again = sync_b(hub_b, source["id"])
    assert again["status"] == "succeeded", again
    copies = mirrored(hub_b)
    assert copies[newer["id"]][:2] == ("published", "黄河文化导读（第二版）")
    assert copies[first["id"]][0] == "withdrawn"  # superseded: B keeps one live record per lineage
    assert copies[second["id"]][0] == "withdrawn"
    assert sync_b(hub_b, source["id"])["counts"]["created"] == 0  # nothing new: the cursor moved on


def test_a_full_resync_changes_nothing(hub, hub_a_url, hub_b):
    make_org(hub, code="nx-a")
    create_published(hub, "民族团结")
    source = hub_b.sources.create(
        SYSTEM, {"name": "hub-a", "kind": "hub", "url": hub_a_url, "allow_private_host": True}
    )
    sync_b(hub_b, source["id"])
    run = hub_b.sync.start(SYSTEM, source["id"], full=True)
    assert hub_b.sync.run(run["id"])["counts"] == {
        "created": 0,
        "updated": 0,
        "deleted": 0,
        "unchanged": 1,
        "failed": 0,
    }
