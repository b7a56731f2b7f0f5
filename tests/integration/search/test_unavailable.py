"""A broken search backend answers with ServiceUnavailable (503), in Chinese and English, never a
stack trace."""

from __future__ import annotations

import socket

import pytest

from hub.errors import ServiceUnavailable
from hub.search import SearchQuery, index_from_url


def dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("scheme", ["opensearch+http", "elasticsearch+http"])
def test_unreachable_server_raises_service_unavailable(scheme):
    index = index_from_url(f"{scheme}://127.0.0.1:{dead_port()}")
    _ = index.client.transport  # built lazily by neither client: no network before the first call
    with pytest.raises(ServiceUnavailable) as caught:
        index.search(SearchQuery(q="分数"))
    assert "搜索" in caught.value.message and "unavailable" in caught.value.message
    with pytest.raises(ServiceUnavailable):
        index.check_ready()


def test_unusable_tantivy_directory_raises_service_unavailable(tmp_path):
    (tmp_path / "index").write_text("not a directory")
    index = index_from_url(f"tantivy://{tmp_path / 'index'}")
    with pytest.raises(ServiceUnavailable):
        index.check_ready()


def test_second_tantivy_writer_is_refused_clearly(tmp_path):
    first, second = (index_from_url("tantivy://index", data_dir=tmp_path) for _ in range(2))
    first.ensure()
    first.index_documents([])
    with pytest.raises(ServiceUnavailable):
        second.index_documents([])
    first.close()
