"""The engines the contract suite runs on, each loaded once per module with the same corpus."""

from __future__ import annotations

import os
import uuid

import pytest

from hub.search import document_from_record, index_from_url
from tests.integration.search import corpus
from tests.support import need

ES_URL = os.environ.get("EDUHUB_TEST_ELASTICSEARCH_URL")
# "memory" is the fake the unit tests use: the contract proves it answers as the real engines do.
ENGINES = ["memory", "tantivy", "opensearch"] + (["elasticsearch"] if ES_URL else [])


def documents(records):
    return [document_from_record(r, corpus.ORG_PATHS[r["org"]]) for r in records]


def open_index(engine: str, tmp_dir):
    """A fresh, empty index on `engine`, and a function that throws it away."""
    if engine == "memory":
        index = index_from_url("memory://")
        return index, index.close
    if engine == "tantivy":
        index = index_from_url(f"tantivy://{tmp_dir / 'index'}")
        return index, index.close
    if engine == "opensearch":
        from tests.support import opensearch

        try:
            url, clone = opensearch.clone_url()
        except (opensearch.Unavailable, OSError) as exc:
            need("osmem-server", str(exc))
        index = index_from_url(url.replace("http", "opensearch+http", 1))
        return index, lambda: (index.close(), clone.close())
    alias = f"eduhub-test-{uuid.uuid4().hex[:10]}"
    index = index_from_url(f"elasticsearch+{ES_URL}?index={alias}")

    def drop():
        for name in index._indices():
            index.client.indices.delete(index=name)
        index.close()

    return index, drop


@pytest.fixture(scope="module", params=ENGINES)
def engine(request):
    return request.param


@pytest.fixture(scope="module")
def records():
    return corpus.records()


@pytest.fixture(scope="module")
def index(engine, records, tmp_path_factory):
    """The corpus, indexed once per engine; tests on it only read."""
    idx, drop = open_index(engine, tmp_path_factory.mktemp(engine))
    idx.ensure()
    idx.index_documents(documents(records))
    idx.commit()
    yield idx
    drop()


@pytest.fixture
def fresh_index(engine, tmp_path):
    idx, drop = open_index(engine, tmp_path)
    idx.ensure()
    yield idx
    drop()
