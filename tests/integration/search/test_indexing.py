"""The index follows the database through the outbox: publish, withdraw, new versions, bulk imports,
drift."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import update

from hub.cli import main
from hub.db.models import Resource
from hub.security.principal import ANONYMOUS
from hub.services.bulk import BulkImporter
from tests.resource_factories import make_world, publish, valid_record


@pytest.fixture
def world(hub):
    return make_world(hub)


def found(hub, q="", actor=ANONYMOUS, **filters):
    return [h["id"] for h in hub.search.search(actor, q=q, filters=filters)["hits"]]


def test_published_resource_is_searchable_only_after_the_outbox_runs(hub, world):
    record = publish(hub, world, title="三角形的内角和")
    assert record["id"] not in found(
        hub, "内角和"
    )  # nothing is indexed inside the request's transaction
    hub.outbox.process()
    assert found(hub, "内角和") == [record["id"]]


def test_withdrawn_resource_leaves_the_index(hub, world):
    record = publish(hub, world, title="三角形的内角和")
    hub.outbox.process()
    hub.resources.withdraw(world.contributor, record["id"])
    hub.outbox.process()
    assert found(hub, "内角和") == []
    assert hub.index.count() == 0


def test_new_version_replaces_the_old_one_once_published(hub, world):
    old = publish(hub, world, title="三角形的内角和")
    hub.outbox.process()
    draft = hub.resources.act(world.contributor, old["id"], "new-version")
    hub.resources.update(world.contributor, draft["id"], {"title": "三角形的内角和（修订版）"})
    hub.outbox.process()
    assert found(hub, "内角和") == [old["id"]]  # a draft is not searchable
    hub.resources.act(world.contributor, draft["id"], "submit")
    hub.resources.act(world.reviewer, draft["id"], "publish", comment="好")
    hub.outbox.process()
    assert found(hub, "内角和") == [draft["id"]]


def test_many_messages_are_indexed_in_one_commit_per_topic(hub, world):
    ids = [publish(hub, world, title=f"第{i}课 分数")["id"] for i in range(4)]
    commits = []
    original = hub.index.commit
    hub.index.commit = lambda: (commits.append(1), original())[1]
    assert hub.outbox.process() == 12  # 4 index, 4 file-extraction and 4 file-preview messages
    assert len(commits) == 2
    assert sorted(found(hub, "分数")) == sorted(ids)
    assert hub.outbox.pending() == 0


def test_bulk_import_batches_are_indexed(hub, world, tmp_path):
    path = tmp_path / "records.jsonl"
    lines = [valid_record(title=f"黄河文化第{i}讲", org="xq-school-1") for i in range(3)]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in lines), encoding="utf-8")
    report = BulkImporter(hub, publish=True).run(path)
    assert report.imported == 3
    hub.outbox.process()
    assert len(found(hub, "黄河文化")) == 3


def test_hits_the_database_no_longer_allows_are_dropped(hub, world):
    record = publish(hub, world, title="三角形的内角和")
    hub.outbox.process()
    with hub.db.session() as session:  # changed behind the indexer's back
        session.execute(
            update(Resource).where(Resource.id == record["id"]).values(visibility="org")
        )
        session.commit()
    assert found(hub, "内角和") == []
    assert found(hub, "内角和", actor=world.contributor) == [record["id"]]


def test_reconcile_repairs_missing_stale_and_extra_entries(hub, world):
    kept = publish(hub, world, title="三角形的内角和")
    lost = publish(hub, world, title="平行四边形的面积")
    hub.outbox.process()
    hub.index.delete_documents([lost["id"]])
    hub.index.index_documents([{**_doc(hub, kept["id"]), "id": "ghost"}])
    hub.index.commit()
    report = hub.search.reconcile()
    assert report["missing"] == 1 and report["removed"] == 1
    assert set(hub.index.all_ids_with_versions()) == {kept["id"], lost["id"]}


def _doc(hub, resource_id):
    from hub.services.indexer import split

    with hub.db.session() as session:
        return split(session, [resource_id])[0][0]


def test_cli_rebuild_indexes_every_published_resource(hub, world, monkeypatch, config):
    ids = [publish(hub, world, title=f"勾股定理第{i}课")["id"] for i in range(3)]
    hub.resources.create(world.contributor, valid_record(title="勾股定理草稿"))
    monkeypatch.setenv("EDUHUB_DATA_DIR", str(config.data_dir))
    monkeypatch.setenv("EDUHUB_DATABASE_URL", config.database_url)
    monkeypatch.setenv("EDUHUB_SEARCH_URL", config.search_url)
    monkeypatch.setenv("EDUHUB_STORAGE_URL", config.storage_url)
    result = CliRunner().invoke(main, ["search", "rebuild"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Indexed 3 resources" in result.output
    hub.index.index().reload()
    assert sorted(found(hub, "勾股定理")) == sorted(ids)
    result = CliRunner().invoke(main, ["search", "reconcile"], catch_exceptions=False)
    assert result.exit_code == 0 and "0 were missing" in result.output
