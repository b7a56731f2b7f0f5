"""Real hubs for upward-federation tests: each its own app, database, data directory and port."""

from __future__ import annotations

import io
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from werkzeug.serving import make_server

from config import Config
from hub import create_app
from hub.db import Base
from hub.db.models import Resource
from hub.security.principal import SYSTEM
from tests.resource_factories import PDF_BYTES, valid_record


@dataclass
class ServedHub:
    hub: object
    url: str
    app: object


@contextmanager
def served_hub(root: Path, name: str):
    """A hub answering HTTP on 127.0.0.1 and a free port, with its own SQLite database."""
    data_dir = root / name
    data_dir.mkdir(parents=True)
    config = Config.from_env(
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'hub.db'}",
        storage_url=f"file://{data_dir / 'objects'}",
        search_url=f"tantivy://{data_dir / 'index'}",
        broker_url="memory://",  # no worker: the tests run syncs themselves
        secret_key=f"{name}-secret",
        testing=True,
    )
    app = create_app(config)
    hub = app.extensions["eduhub"]
    Base.metadata.create_all(hub.db.engine)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield ServedHub(hub, f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        hub.close()


def publish_record(hub, org: str, title: str, **fields) -> dict:
    """A published record of `org` with one small PDF (its bytes told apart by the title)."""
    draft = hub.resources.create(SYSTEM, valid_record(org=org, title=title, **fields))
    body = PDF_BYTES + f"% {title}\n".encode()
    hub.files.upload(
        SYSTEM, draft["id"], "课件.pdf", io.BytesIO(body), content_length=len(body), digest=None
    )
    hub.resources.act(SYSTEM, draft["id"], "submit")
    return hub.resources.act(SYSTEM, draft["id"], "publish")


def add_hub_source(hub, name: str, url: str, org: str, token: str | None) -> int:
    data = {"name": name, "kind": "hub", "url": url, "org": org, "allow_private_host": True}
    if token:
        data["token"] = token
    return hub.sources.create(SYSTEM, data)["id"]


def sync(hub, source_id: int) -> dict:
    run = hub.sync.start(SYSTEM, source_id)
    return hub.sync.run(run["id"])


def copies(hub) -> dict[str, Resource]:
    """Harvested records by title (detached, with their org loaded)."""
    with hub.uow() as uow:
        found = uow.session.scalars(select(Resource).where(Resource.source_id.is_not(None))).all()
        for resource in found:
            _ = resource.org, resource.files
        uow.session.expunge_all()
        return {r.title: r for r in found}


def sqlite_url(tmp_path: Path) -> str:
    """For modules whose rules run in Python alone: the SQL readings of the visibility rule run on
    both databases in tests/integration/oai/test_upward_harvest_token.py."""
    return f"sqlite:///{tmp_path / 'hub.db'}"
