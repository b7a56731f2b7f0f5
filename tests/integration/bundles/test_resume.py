"""An interrupted import, run again, finishes: stored files skipped, applied records unchanged."""

from __future__ import annotations

import json
import zipfile

import pytest

from hub.bundles import signing
from hub.bundles.importer import BundleImporter
from tests.support.bundles import records_by_origin, rewrite


class Interrupted(Exception):
    pass


def test_an_interrupted_import_resumes_where_it_stopped(
    origin, bundle, target, origin_key, monkeypatch
):
    applied = []
    real = BundleImporter._apply_batch

    def apply_then_die(self, *args):
        if applied:
            raise Interrupted("the power went out")
        applied.append(1)
        real(self, *args)

    monkeypatch.setattr(BundleImporter, "_apply_batch", apply_then_die)
    with pytest.raises(Interrupted):
        target.bundle_importer(trusted_keys=[origin_key], batch_size=20).run(bundle)
    assert len(records_by_origin(target)) == 20
    monkeypatch.undo()

    report = target.bundle_importer(trusted_keys=[origin_key], batch_size=20).run(bundle)

    assert (report.created, report.updated, report.unchanged, report.failed) == (30, 0, 20, 0)
    assert (report.files_stored, report.files_skipped) == (0, 51)
    assert records_by_origin(target) == records_by_origin(origin)


def test_a_newer_version_of_a_record_updates_it(origin, bundle, target, origin_key, tmp_path):
    """The origin hub's later export of the same record (its title fixed) updates the copy here."""
    target.bundle_importer(trusted_keys=[origin_key]).run(bundle)

    def retitle(name, body):
        if name != "manifest.json":
            return body
        manifest = json.loads(body)
        manifest["records"][0].update(title="新版：光合作用与呼吸作用", revision=9)
        return json.dumps(manifest, ensure_ascii=False).encode()

    key = signing.hub_private_key(origin.config.data_dir)
    newer = rewrite(bundle, tmp_path / "newer.zip", change=retitle, key=key)
    report = target.bundle_importer(trusted_keys=[origin_key]).run(newer)

    assert (report.created, report.updated, report.unchanged) == (0, 1, 49)
    first = json.loads(zipfile.ZipFile(bundle).read("manifest.json"))["records"][0]["id"]
    assert records_by_origin(target)[first]["title"] == "新版：光合作用与呼吸作用"


def test_a_record_this_hub_refuses_is_reported_and_none_of_its_files_stored(
    origin, bundle, target, origin_key, tmp_path
):
    manifest = json.loads(zipfile.ZipFile(bundle).read("manifest.json"))
    bad = manifest["records"][1]  # its PDF is its own (record 0 shares the MP3)

    def break_stage(name, body):
        if name != "manifest.json":
            return body
        data = json.loads(body)
        data["records"][1]["stage"] = "kindergarten-of-mars"
        return json.dumps(data, ensure_ascii=False).encode()

    key = signing.hub_private_key(origin.config.data_dir)
    broken = rewrite(bundle, tmp_path / "broken.zip", change=break_stage, key=key)
    report = target.bundle_importer(trusted_keys=[origin_key]).run(broken)

    assert (report.created, report.failed) == (49, 1)
    assert report.errors and report.errors[0].startswith(bad["id"]) and "stage" in report.errors[0]
    assert not target.storage.exists(bad["files"][0]["sha256"])
    assert bad["id"] not in records_by_origin(target)
