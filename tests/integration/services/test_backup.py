"""Backup and restore: the same records and file bytes in a fresh data directory; damage is
detected."""

import io
import json
import os

import pytest
from sqlalchemy import select

from config import Config
from hub import create_app
from hub.db.models import Resource
from hub.errors import Conflict
from hub.security.principal import SYSTEM
from hub.services.backup import MANIFEST, backup, database_is_empty, restore
from hub.services.integrity import check_objects
from tests.factories import make_org, make_user
from tests.resource_factories import PDF_BYTES, valid_record

PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7V\xbd\xfa\x00\x00\x00\x00IEND\xaeB`\x82"
)


def publish_one(hub, title="有理数的加法"):
    contributor = (
        make_user(hub, org="nx-1", role="contributor") if not hasattr(hub, "_c") else hub._c
    )
    hub._c = contributor
    record = hub.resources.create(contributor, valid_record(title=title, org="nx-1"))
    hub.files.upload(
        contributor, record["id"], "讲义.pdf", io.BytesIO(PDF_BYTES), content_length=len(PDF_BYTES)
    )
    hub.files.upload(
        contributor, record["id"], "封面.png", io.BytesIO(PNG_BYTES), content_length=len(PNG_BYTES)
    )
    hub.resources.act(contributor, record["id"], "submit")
    hub.resources.act(SYSTEM, record["id"], "publish")
    return record["id"]


@pytest.fixture
def seeded(hub):
    make_org(hub, code="nx-1", region="640104")
    return [publish_one(hub, "有理数的加法"), publish_one(hub, "赵州桥")]


@pytest.fixture
def fresh_hub(tmp_path, database_url, request):
    """A second hub on an empty data directory and an empty database of the same engine."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'fresh' / 'hub.db'}"
    else:
        from tests.support import postgres

        server = request.getfixturevalue("postgres_server")
        name = f"eduhub_restore_{os.getpid()}_{abs(hash(str(tmp_path))) % 10**8}"
        url = postgres.create_database(server, name)
        request.addfinalizer(lambda: postgres.drop_database(server, name))
    data_dir = tmp_path / "fresh"
    config = Config.from_env(
        data_dir=data_dir,
        database_url=url,
        storage_url=f"file://{data_dir / 'objects'}",
        search_url=f"tantivy://{data_dir / 'index'}",
        broker_url=f"filesystem://{data_dir}/b",
        secret_key="test-secret",
        testing=True,
    )
    hub = create_app(config).extensions["eduhub"]
    yield hub
    hub.close()


def snapshot(hub, ids):
    out = {}
    for resource_id in ids:
        record = hub.resources.get(SYSTEM, resource_id)
        files = {}
        for f in record["files"]:
            download = hub.files.open_download(SYSTEM, resource_id, f["name"])
            files[f["name"]] = download.path.read_bytes()
        out[resource_id] = (
            {k: record[k] for k in ("title", "status", "org", "subjects", "published")},
            files,
        )
    return out


def test_restore_into_a_fresh_hub_gives_the_same_records_and_bytes(
    hub, seeded, fresh_hub, tmp_path
):
    manifest = backup(hub, tmp_path / "bk")
    assert manifest["counts"]["resources"] == 2 and manifest["counts"]["objects"] == 2
    assert database_is_empty(fresh_hub)
    report = restore(fresh_hub, tmp_path / "bk")
    assert report.restored_objects == 2
    assert snapshot(fresh_hub, seeded) == snapshot(hub, seeded)
    assert check_objects(fresh_hub).ok


def test_manifest_lists_versions_counts_and_the_dump_checksum(hub, seeded, tmp_path):
    backup(hub, tmp_path / "bk")
    manifest = json.loads((tmp_path / "bk" / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["format"] == "eduhub-backup" and manifest["eduhub_version"]
    assert len(manifest["database"]["sha256"]) == 64
    assert {o["mimetype"] for o in manifest["objects"]} == {"application/pdf", "image/png"}


def test_a_corrupt_object_in_the_backup_stops_the_restore(hub, seeded, fresh_hub, tmp_path):
    manifest = backup(hub, tmp_path / "bk")
    victim = (
        tmp_path
        / "bk"
        / "objects"
        / manifest["objects"][0]["sha256"][:2]
        / manifest["objects"][0]["sha256"][2:4]
        / manifest["objects"][0]["sha256"]
    )
    data = bytearray(victim.read_bytes())
    data[10] ^= 0x01
    # a hard link shares the live object's inode: replace the file, never edit it in place
    victim.unlink()
    victim.write_bytes(bytes(data))
    with pytest.raises(Conflict) as caught:
        restore(fresh_hub, tmp_path / "bk")
    assert manifest["objects"][0]["sha256"] in caught.value.message
    assert database_is_empty(fresh_hub)


def test_restore_refuses_a_database_with_data_unless_forced(hub, seeded, tmp_path):
    backup(hub, tmp_path / "bk")
    with pytest.raises(Conflict):
        restore(hub, tmp_path / "bk")
    restore(hub, tmp_path / "bk", force=True)
    with hub.db.session() as session:
        assert sorted(session.scalars(select(Resource.id)).all()) == sorted(seeded)


def test_backup_refuses_a_directory_that_is_not_empty(hub, seeded, tmp_path):
    (tmp_path / "bk").mkdir()
    (tmp_path / "bk" / "other").write_text("x")
    with pytest.raises(Conflict):
        backup(hub, tmp_path / "bk")


def test_check_finds_a_flipped_byte_and_names_the_resource(hub, seeded):
    store = hub.storage
    sha256 = next(iter(store.iter_keys()))
    path = store.local_path(sha256)
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    os.chmod(path, 0o600)
    path.write_bytes(bytes(data))
    report = check_objects(hub)
    assert report.checked == 2 and [b.sha256 for b in report.bad] == [sha256]
    assert report.bad[0].problem == "corrupt" and {r[0] for r in report.bad[0].resources} == set(
        seeded
    )


def test_check_reports_a_recorded_object_missing_from_the_store(hub, seeded):
    sha256 = next(iter(hub.storage.iter_keys()))
    hub.storage.delete(sha256)
    report = check_objects(hub)
    assert [(b.sha256, b.problem) for b in report.bad] == [(sha256, "missing")]
