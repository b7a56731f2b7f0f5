"""Fixtures shared by every suite: a hub on a temporary data directory, on SQLite and on
PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import settings

from config import Config
from hub import create_app
from hub.db import Base
from tests.support import need

# No deadlines: these machines are shared and noisy, and a first call may load a dictionary (no
# timed assertions).
settings.register_profile("eduhub", deadline=None)
settings.load_profile("eduhub")


def pytest_collection_modifyitems(config, items):
    """A test marked `postgres_only` tests something SQLite cannot show: it runs on PostgreSQL
    only."""
    items[:] = [
        item
        for item in items
        if not (
            item.get_closest_marker("postgres_only")
            and getattr(item, "callspec", None) is not None
            and item.callspec.params.get("database_url") == "sqlite"
        )
    ]


@pytest.fixture(scope="session")
def postgres_server():
    """URL of a PostgreSQL server: EDUHUB_TEST_DATABASE_URL, or a throwaway one from Debian's
    packages."""
    from tests.support import postgres

    try:
        url = postgres.server_url()
    except postgres.Unavailable as exc:
        need("PostgreSQL", str(exc))
    yield url
    postgres.stop()


@pytest.fixture(scope="session")
def s3_server():
    """An S3-compatible server: OpenStack Swift with s3api, started once per session."""
    from tests.support import swift

    yield from swift.s3_server()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hub.db'}"
        return
    from tests.support import postgres

    server = request.getfixturevalue("postgres_server")
    name = f"eduhub_test_{uuid.uuid4().hex[:12]}"
    url = postgres.create_database(server, name, with_schema=True)
    yield url
    postgres.drop_database(server, name)


@pytest.fixture
def config(tmp_path, database_url) -> Config:
    data_dir = tmp_path / "var"
    return Config.from_env(
        data_dir=data_dir,
        database_url=database_url,
        storage_url=f"file://{data_dir / 'objects'}",
        search_url=f"tantivy://{data_dir / 'index'}",
        broker_url="memory://",  # no worker: the tests run the outbox themselves
        secret_key="test-secret",
        testing=True,
    )


@pytest.fixture
def app(config):
    app = create_app(config)
    hub = app.extensions["eduhub"]
    Base.metadata.create_all(hub.db.engine)
    yield app
    hub.close()


@pytest.fixture
def hub(app):
    return app.extensions["eduhub"]


@pytest.fixture
def client(app):
    return app.test_client()
