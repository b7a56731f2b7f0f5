"""A rebuild in worker processes (each reading its own id ranges) gives the index what a rebuild in
one process gives it, and a worker that dies or fails leaves the old index in place."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from hub.cli import main
from hub.errors import ServiceUnavailable
from hub.security.principal import ANONYMOUS
from hub.services import rebuild
from tests.integration.search.test_rebuild_rows import as_text, with_text
from tests.resource_factories import make_world, publish, valid_record

# Worker processes behave alike on both databases: what only a worker's death or the CLI shows runs
# on SQLite only, to keep process start-ups few.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
TITLES = ["勾股定理", "黄河文化", "一元一次方程", "三角形的内角和", "平行四边形的面积"]


@pytest.fixture
def world(hub):
    return make_world(hub)


@pytest.fixture
def ids(hub, world):
    made = [
        publish(hub, world, title=f"{title}（第{i}课）")["id"] for i, title in enumerate(TITLES)
    ]
    with_text(hub, made[1], "讲义.pdf", "沙坡头位于中卫市，治沙经验闻名全国。")
    hub.resources.create(world.contributor, valid_record(title="草稿不进索引"))
    return made


def found(hub, q: str) -> list[str]:
    hub.index.index().reload()
    return [h["id"] for h in hub.search.search(ANONYMOUS, q=q)["hits"]]


# Tasks for the worker processes: module-level, so a spawned worker imports them by name.
def die_after_first(bounds, as_json):
    if bounds[0] is not None:
        os._exit(3)  # a worker killed mid-rebuild (out of memory, SIGKILL)
    return rebuild.build_range(bounds, as_json)


def fail_after_first(bounds, as_json):
    if bounds[0] is not None:
        raise ValueError("a record the analysis refuses")
    return rebuild.build_range(bounds, as_json)


def test_ranges_cover_every_indexable_resource_once(hub, ids):
    ranges = rebuild.id_ranges(hub.db, size=2)
    assert len(ranges) == 3 and ranges[0][0] is None and ranges[-1][1] is None
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False))


def test_workers_build_the_documents_one_process_builds(hub, ids):
    alone = list(rebuild.documents(hub.db, 1))
    parallel = list(rebuild.documents(hub.db, 2, size=2))  # ranges of two: three of them
    assert sorted(doc["id"] for doc in parallel) == sorted(ids)
    assert as_text(parallel) == as_text(alone)
    encoded = [json.loads(text) for text in rebuild.documents(hub.db, 2, as_json=True, size=2)]
    assert as_text(encoded) == as_text(alone)


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("task", "error"), [(die_after_first, ServiceUnavailable), (fail_after_first, ValueError)]
)
def test_a_failing_worker_fails_the_rebuild_and_the_old_index_stays(hub, world, ids, task, error):
    assert hub.search.rebuild(workers=1) == len(ids)
    generations = sorted(p.name for p in hub.index.root.glob("gen-*"))
    later = publish(hub, world, title="勾股定理（复习课）")["id"]  # in the database, not the index

    docs = rebuild.documents(hub.db, 2, as_json=True, task=task, size=2)
    with pytest.raises(error):
        hub.index.rebuild(docs)

    assert found(hub, "勾股定理") == [ids[0]] and later not in found(hub, "复习")
    assert hub.index.count() == len(ids)
    # The half-built generation is gone; the one searches use is untouched.
    assert sorted(p.name for p in hub.index.root.glob("gen-*")) == generations


@SQLITE_ONLY
def test_cli_rebuild_with_two_workers(hub, ids, config, monkeypatch):
    monkeypatch.setattr(rebuild, "RANGE", 2)  # three ranges for two workers
    for name in ("data_dir", "database_url", "search_url", "storage_url"):
        monkeypatch.setenv(f"EDUHUB_{name.upper()}", str(getattr(config, name)))
    result = CliRunner().invoke(main, ["search", "rebuild", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert f"Indexed {len(ids)} resources" in result.output
    assert found(hub, "沙坡头") == [ids[1]]
    assert sorted(found(hub, "课")) == sorted(ids)
