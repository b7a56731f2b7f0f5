"""Export from one hub, import into a fresh one: same records, same bytes; twice changes nothing."""

from __future__ import annotations

import hashlib
import json
import zipfile

import pytest
from sqlalchemy import select

from hub.bundles import signing
from hub.db.models import Resource
from tests.support.bundles import fill, hub_state, make_hub, records_by_origin


def test_bundle_holds_each_file_once_and_a_signed_manifest(bundle):
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
        assert {"manifest.json", "manifest.sig", "index.html", "assets/data.js"} <= set(names)
        assert len(manifest["records"]) == 50
        assert len(manifest["files"]) == 51  # 50 PDFs and the one MP3 ten records share
        for entry in manifest["files"]:
            body = archive.read(entry["path"])
            assert hashlib.sha256(body).hexdigest() == entry["sha256"] == entry["path"][-64:]
            assert archive.getinfo(entry["path"]).compress_type == zipfile.ZIP_STORED
        assert archive.getinfo("manifest.json").compress_type == zipfile.ZIP_DEFLATED
        assert manifest["records"][0]["lrmi"]["@type"] == "LearningResource"
        assert manifest["hub"] == {"name": "宁夏教育资源平台", "url": "https://res.nx.example.cn"}


def test_import_into_a_fresh_hub_gives_identical_records_and_bytes(
    origin, bundle, target, origin_key
):
    report = target.bundle_importer(trusted_keys=[origin_key]).run(bundle)

    assert (report.created, report.updated, report.unchanged, report.failed) == (50, 0, 0, 0)
    expected = records_by_origin(origin)
    assert records_by_origin(target) == expected
    for key in origin.storage.iter_keys():
        with origin.storage.open(key) as a, target.storage.open(key) as b:
            assert a.read() == b.read()
    assert sorted(target.storage.iter_keys()) == sorted(origin.storage.iter_keys())


def test_imported_records_keep_their_origin(bundle, target, origin_key):
    report = target.bundle_importer(trusted_keys=[origin_key]).run(bundle)
    sources = target.sources.list(target_admin())
    assert [(s["name"], s["kind"], s["url"], s["enabled"]) for s in sources] == [
        (report.source, "hub", "https://res.nx.example.cn", False)
    ]
    record = next(iter(records_with_source(target)))
    assert record["source"] == report.source
    assert record["origin_url"].startswith("https://res.nx.example.cn/r/")


def test_importing_twice_changes_nothing(bundle, target, origin_key):
    target.bundle_importer(trusted_keys=[origin_key]).run(bundle)
    before = hub_state(target), records_by_origin(target)

    again = target.bundle_importer(trusted_keys=[origin_key]).run(bundle)

    assert (again.created, again.updated, again.unchanged, again.failed) == (0, 0, 50, 0)
    assert again.files_stored == 0 and again.files_skipped == 51
    assert (hub_state(target), records_by_origin(target)) == before


def target_admin():
    from hub.security.principal import SYSTEM

    return SYSTEM


def records_with_source(hub):
    with hub.db.session() as session:
        for resource in session.scalars(select(Resource)).unique():
            yield hub.resources.serialize(resource, session)


def test_search_words_choose_the_records_as_the_search_engine_does(origin, tmp_path):
    while origin.outbox.process():  # index what the bulk import recorded
        pass
    out = tmp_path / "photosynthesis.zip"
    report = origin.bundle_exporter.export(out, query={"q": "光合作用", "grade": ["g7"]})
    with zipfile.ZipFile(out) as archive:
        titles = [r["title"] for r in json.loads(archive.read("manifest.json"))["records"]]
    assert report.records == len(titles) == 10
    assert all("光合作用" in title for title in titles)


def test_only_what_the_exporter_may_read_is_exported(origin, tmp_path):
    from hub.security.principal import ANONYMOUS

    out = tmp_path / "public.zip"
    assert origin.bundle_exporter.export(out, actor=ANONYMOUS).records == 50  # all public
    with origin.db.session() as session:
        first = session.scalars(select(Resource).order_by(Resource.created, Resource.id)).first()
        first.visibility, hidden = "org", first.id
        session.commit()
    try:
        with zipfile.ZipFile(out) as archive:
            assert hidden in archive.read("manifest.json").decode()
        origin.bundle_exporter.export(out, actor=ANONYMOUS)
        with zipfile.ZipFile(out) as archive:
            assert hidden not in archive.read("manifest.json").decode()
    finally:
        with origin.db.session() as session:
            session.get(Resource, hidden).visibility = "public"
            session.commit()


@pytest.mark.parametrize("url", ["http://localhost:8000", "http://192.168.10.5"])
def test_a_bundle_from_a_hub_on_a_school_lan_imports_and_its_origin_is_never_fetched(
    tmp_path, target, url
):
    """A bundle's hub is only the records' origin: a LAN or loopback address is fine to record,
    and a sync of that source is still refused by the outbound policy."""
    school = make_hub(tmp_path / "school", public_url=url, hub_name="西吉县中学")
    fill(school, tmp_path, count=3)
    path = tmp_path / "school.zip"
    school.bundle_exporter.export(path)
    key = signing.public_key_text(signing.hub_private_key(school.config.data_dir).public_key())
    school.close()

    report = target.bundle_importer(trusted_keys=[key]).run(path)
    assert report.created == 3
    (source,) = target.sources.list(target_admin())
    assert (source["url"], source["enabled"], source["allow_private_host"]) == (url, False, False)
    run = target.sync.start(target_admin(), source["id"])
    assert target.sync.run(run["run_id"])["status"] == "failed"
