"""A database that cannot be reached (restarting, a network blip) answers 503 with Retry-After on
the API and on pages, never a 500: clients and nginx retry, and nothing is logged as a bug."""

from __future__ import annotations

import socket

import pytest

from config import Config
from hub import create_app


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again at once: connections are refused


@pytest.fixture
def client_without_database(tmp_path):
    data_dir = tmp_path / "var"
    config = Config.from_env(
        data_dir=data_dir,
        database_url=f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/eduhub",
        storage_url=f"file://{data_dir / 'objects'}",
        search_url=f"tantivy://{data_dir / 'index'}",
        broker_url="memory://",
        secret_key="test-secret",
        testing=False,
    )
    app = create_app(config)
    yield app.test_client()
    app.extensions["eduhub"].close()


def test_the_api_answers_503_with_retry_after_when_the_database_is_down(
    client_without_database, caplog
):
    response = client_without_database.get("/api/v1/resources/01a24a5b-fb05-75a7-aef2-62a8d06a23db")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    body = response.get_json()
    assert body["status"] == 503
    assert "database" in body["message"] and "数据库" in body["message"]
    assert not [r for r in caplog.records if r.getMessage() == "unhandled error"]


def test_a_page_answers_503_with_retry_after_when_the_database_is_down(client_without_database):
    response = client_without_database.get("/r/01a24a5b-fb05-75a7-aef2-62a8d06a23db")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "数据库暂时无法连接" in response.get_data(as_text=True)
