"""BulkImporter: batches of Core inserts with audit, outbox and changes, and per-line validation
errors."""

import json

import pytest
from sqlalchemy import func, select

from hub.db.models import AuditEntry, Change, OutboxMessage, Resource, ResourceFile
from hub.errors import ValidationFailed
from hub.services.bulk import INDEX_BATCH_TOPIC, BulkImporter
from tests.factories import make_org
from tests.resource_factories import PDF_BYTES, valid_record


def write_jsonl(path, records):
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records)
        + "\n",
        encoding="utf-8",
    )
    return path


def count(hub, model, *where):
    with hub.db.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def orgs(hub):
    make_org(hub, code="nx", kind="province", region="640000")
    make_org(hub, code="nx-gy", kind="city", parent="nx", region="640400")


def test_batches_write_one_audit_and_one_outbox_message_each(hub, orgs, tmp_path):
    source = write_jsonl(tmp_path / "r.jsonl", [valid_record(title=f"资源 {i}") for i in range(25)])
    report = BulkImporter(hub, org="nx", publish=True, batch_size=10).run(source)
    assert (report.lines, report.imported, report.failed) == (25, 25, 0)
    assert count(hub, AuditEntry, AuditEntry.action == "resource.import") == 3
    with hub.db.session() as session:
        messages = session.scalars(
            select(OutboxMessage).where(OutboxMessage.topic == INDEX_BATCH_TOPIC)
        ).all()
        ids = [i for m in messages for i in m.payload["ids"]]
        assert sorted(ids) == sorted(session.scalars(select(Resource.id)).all())
    assert count(hub, Change, Change.op == "upsert") == 25


def test_drafts_by_default_and_no_changes_rows(hub, orgs, tmp_path):
    source = write_jsonl(tmp_path / "r.jsonl", [valid_record()])
    BulkImporter(hub, org="nx").run(source)
    assert count(hub, Resource, Resource.status == "draft") == 1
    assert count(hub, Change) == 0


def test_record_org_wins_over_default_and_region_comes_from_it(hub, orgs, tmp_path):
    source = write_jsonl(
        tmp_path / "r.jsonl", [valid_record(org="nx-gy"), valid_record(title="无机构")]
    )
    BulkImporter(hub, org="nx").run(source)
    with hub.db.session() as session:
        regions = dict(session.execute(select(Resource.title, Resource.region)).all())
    assert regions == {valid_record()["title"]: "640400", "无机构": "640000"}


def test_each_bad_line_is_reported_with_its_number_and_fields(hub, orgs, tmp_path):
    seen = []
    source = write_jsonl(
        tmp_path / "r.jsonl",
        [
            valid_record(),
            valid_record(grades=["g99"], license="free"),
            "[1, 2]",
            valid_record(org="nowhere"),
            valid_record(files=[{"name": "a.pdf", "path": "missing.pdf"}]),
            valid_record(title="最后一条"),
        ],
    )
    report = BulkImporter(hub, org="nx", on_error=seen.append).run(source)
    assert (report.imported, report.failed) == (2, 4)
    assert [e.line for e in report.errors] == [2, 3, 4, 5] == [e.line for e in seen]
    assert {e["field"] for e in report.errors[0].errors} == {"grades.0", "license"}
    assert report.errors[2].errors[0]["field"] == "org"
    assert report.errors[3].errors[0]["field"] == "files.0"


def test_lines_without_any_org_fail(hub, orgs, tmp_path):
    report = BulkImporter(hub).run(write_jsonl(tmp_path / "r.jsonl", [valid_record()]))
    assert report.failed == 1 and report.errors[0].errors[0]["field"] == "org"


def test_an_unknown_default_org_is_refused_up_front(hub, orgs, tmp_path):
    with pytest.raises(ValidationFailed):
        BulkImporter(hub, org="nowhere").run(write_jsonl(tmp_path / "r.jsonl", [valid_record()]))


def test_canonical_records_keep_their_dates_and_files_are_stored_once(hub, orgs, tmp_path):
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "a.pdf").write_bytes(PDF_BYTES)
    exported = {
        **valid_record(),
        "id": "x",
        "status": "published",
        "revision": 7,
        "downloads": 3,
        "created": "2024-03-01T08:00:00Z",
        "published": "2024-03-02T08:00:00Z",
        "files": [{"name": "讲义.pdf", "path": "files/a.pdf"}],
    }
    second = {**exported, "title": "同一文件", "files": [{"path": "files/a.pdf"}]}
    report = BulkImporter(hub, org="nx", publish=True).run(
        write_jsonl(tmp_path / "r.jsonl", [exported, second])
    )
    assert (report.imported, report.files) == (2, 2)
    with hub.db.session() as session:
        first = session.scalar(select(Resource).where(Resource.title == exported["title"]))
        assert first.created.year == 2024 and first.published.day == 2 and first.revision == 1
        assert first.id != "x"
        names = sorted(session.scalars(select(ResourceFile.name)).all())
    assert names == ["a.pdf", "讲义.pdf"]
    assert len(list(hub.storage.iter_keys())) == 1


def test_imported_records_read_back_through_the_service(hub, orgs, tmp_path):
    from hub.security.principal import SYSTEM

    BulkImporter(hub, org="nx", publish=True).run(
        write_jsonl(tmp_path / "r.jsonl", [valid_record()])
    )
    with hub.db.session() as session:
        resource_id = session.scalar(select(Resource.id))
    record = hub.resources.get(SYSTEM, resource_id)
    assert record["title"] == valid_record()["title"] and record["org"] == "nx"
    assert record["subjects"] == ["math"] and record["status"] == "published"


def test_cached_validation_tells_a_missing_field_from_an_explicit_null(hub, orgs, tmp_path):
    first = valid_record(title="没有写语言")
    first.pop("language", None)
    source = write_jsonl(
        tmp_path / "n.jsonl", [first, valid_record(title="语言为空", language=None)]
    )
    report = BulkImporter(hub, org="nx").run(source)
    assert (report.imported, report.failed) == (1, 1)
    assert report.errors[0].line == 2
    assert [e["field"] for e in report.errors[0].errors] == ["language"]
