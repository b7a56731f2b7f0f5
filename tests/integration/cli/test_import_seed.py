"""`eduhub seed-demo` and `eduhub import`: run through click on a fresh data directory."""

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from config import Config
from hub import create_app
from hub.cli import main
from hub.db import Base
from hub.db.models import AuditEntry, Change, OutboxMessage, Resource
from hub.demo.catalogue import build_catalogue
from tests.resource_factories import PDF_BYTES, valid_record


@pytest.fixture
def eduhub(tmp_path, monkeypatch):
    """Run `eduhub ARGS...` against a fresh embedded database (schema from the models, stamped at
    head)."""
    for name in (
        "EDUHUB_STORAGE_URL",
        "EDUHUB_SEARCH_URL",
        "EDUHUB_BROKER_URL",
        "EDUHUB_SECRET_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EDUHUB_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("EDUHUB_DATABASE_URL", f"sqlite:///{tmp_path / 'var' / 'hub.db'}")
    hub = create_app(Config.from_env()).extensions["eduhub"]
    Base.metadata.create_all(hub.db.engine)
    runner = CliRunner()

    def run(*args, ok=True):
        result = runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
        assert (result.exit_code == 0) == ok, result.output
        return result

    run.hub = hub
    yield run
    hub.close()


def count(hub, model, *where):
    with hub.db.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_seed_demo_twice_adds_nothing_the_second_time(eduhub):
    first = eduhub("seed-demo", "--limit", 12)
    # 36 named organisations, then the register adds the other counties and 66 example schools.
    assert "Added 113 organisations, 5 users, 12 resources" in first.output
    [admin_line] = [line for line in first.output.splitlines() if "admin@example.edu.cn" in line]
    password = admin_line.split()[1]
    assert len(password) >= 12 and "2024" not in password
    second = eduhub("seed-demo", "--limit", 12)
    assert "nothing added" in second.output and password not in second.output
    assert count(eduhub.hub, Resource) == 12


def test_seed_demo_resources_have_files_history_and_a_review_queue(eduhub):
    eduhub("seed-demo", "--limit", 30)
    hub = eduhub.hub
    with hub.db.session() as session:
        rows = session.scalars(select(Resource)).all()
        statuses = {r.status for r in rows}
        assert {"published", "submitted"} <= statuses
        assert all(r.files for r in rows)
        published = [r for r in rows if r.status == "published"]
        assert max(r.created for r in published) - min(r.created for r in published) > _days(60)
        assert len({r.downloads for r in published}) > 3
    assert count(hub, Change) >= len(published)
    assert count(hub, AuditEntry, AuditEntry.action == "resource.publish") == len(published)


@pytest.mark.slow
def test_full_seed_loads_at_least_240_resources_with_files(eduhub):
    eduhub("seed-demo")
    hub = eduhub.hub
    assert count(hub, Resource) >= 240
    assert count(hub, Resource, Resource.status == "published") >= 200
    assert count(hub, Resource, Resource.visibility != "public") > 0


def test_demo_catalogue_is_large_varied_and_valid():
    from metadata.schema import ResourceInputSchema
    from metadata.vocabularies import load_vocabularies

    vocabularies = load_vocabularies()
    names = ("stages", "subjects", "grades", "editions", "volumes", "types", "themes", "regions")
    items = build_catalogue({n: {t.code: t.zh for t in vocabularies.get(n)} for n in names})
    assert len(items) >= 240
    assert len({i.data["title"] for i in items}) == len(items)
    assert (
        len({i.data["type"] for i in items}) >= 8
        and len({i.data["subjects"][0] for i in items}) >= 10
    )
    assert sum(1 for i in items if i.data["themes"]) >= 15
    schema = ResourceInputSchema()
    assert [i.data["title"] for i in items if schema.validate(i.data)] == []


def test_import_reports_bad_lines_by_number_and_loads_the_rest(eduhub, tmp_path):
    eduhub(
        "orgs",
        "create",
        "--code",
        "nx",
        "--name",
        "宁夏",
        "--kind",
        "province",
        "--region",
        "640000",
    )
    (tmp_path / "lesson.pdf").write_bytes(PDF_BYTES)
    lines = [
        json.dumps(
            valid_record(title="第一条", files=[{"name": "讲义.pdf", "path": "lesson.pdf"}]),
            ensure_ascii=False,
        ),
        json.dumps(valid_record(title="", stage="nursery"), ensure_ascii=False),
        "{not json",
        json.dumps(valid_record(title="第四条"), ensure_ascii=False),
    ]
    source = tmp_path / "records.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = eduhub("import", source, "--org", "nx", "--publish", "--batch-size", 1, ok=False)
    assert "line 2: " in result.stderr and "title" in result.stderr and "stage" in result.stderr
    assert "line 3: " in result.stderr
    assert "4 lines: 2 imported (published), 2 failed, 1 files stored" in result.stdout
    hub = eduhub.hub
    assert count(hub, Resource, Resource.status == "published") == 2
    assert count(hub, Change) == 2
    assert count(hub, OutboxMessage, OutboxMessage.topic == "resource.index_batch") == 2


def test_import_of_good_lines_exits_zero_and_serves_the_files(eduhub, tmp_path):
    eduhub(
        "orgs",
        "create",
        "--code",
        "nx",
        "--name",
        "宁夏",
        "--kind",
        "province",
        "--region",
        "640000",
    )
    (tmp_path / "lesson.pdf").write_bytes(PDF_BYTES)
    record = valid_record(org="nx", files=[{"name": "讲义.pdf", "path": "lesson.pdf"}])
    (tmp_path / "one.jsonl").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    eduhub("import", tmp_path / "one.jsonl", "--publish")
    with eduhub.hub.db.session() as session:
        resource = session.scalars(select(Resource)).one()
        assert resource.region == "640000" and resource.files[0].name == "讲义.pdf"
        sha256 = resource.files[0].sha256
    with eduhub.hub.storage.open(sha256) as fh:
        assert fh.read() == PDF_BYTES


def _days(n):
    from datetime import timedelta

    return timedelta(days=n)
