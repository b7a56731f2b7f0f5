"""`eduhub bundle export|import|key` through click, between two data directories."""

from __future__ import annotations

import json
import zipfile

import pytest
from click.testing import CliRunner

from hub.cli import main
from hub.security.principal import SYSTEM
from tests.support.bundles import fill, make_hub, rewrite


@pytest.fixture
def hubs(tmp_path, monkeypatch):
    """`run(which, *args)`: eduhub on the data directory of hub `a` (filled) or `b` (empty)."""
    for name in ("EDUHUB_STORAGE_URL", "EDUHUB_SEARCH_URL", "EDUHUB_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EDUHUB_BROKER_URL", "memory://")
    monkeypatch.setenv("EDUHUB_PUBLIC_URL", "https://a.example.cn")
    a = make_hub(tmp_path / "a", storage_url=f"file://{tmp_path / 'a' / 'objects'}")
    fill(a, tmp_path, count=12)
    a.close()
    make_hub(tmp_path / "b").close()

    def run(which, *args, ok=True):
        monkeypatch.setenv("EDUHUB_DATA_DIR", str(tmp_path / which))
        monkeypatch.setenv("EDUHUB_DATABASE_URL", f"sqlite:///{tmp_path / which / 'hub.db'}")
        monkeypatch.setenv("EDUHUB_SEARCH_URL", "memory://")
        result = CliRunner().invoke(main, [str(x) for x in args], catch_exceptions=False)
        assert (result.exit_code == 0) == ok, result.output
        return result

    return run


def test_export_with_filters_then_import_twice(hubs, tmp_path):
    out = tmp_path / "biology.zip"
    exported = hubs(
        "a", "bundle", "export", "--out", out, "--stage", "junior", "--subject", "biology"
    )
    assert "3 resources" in exported.output
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert {r["subjects"][0] for r in manifest["records"]} == {"biology"}
    assert manifest["query"] == {"stage": ["junior"], "subject": ["biology"]}
    key = hubs("a", "bundle", "key").output.strip().splitlines()[-1]

    first = hubs("b", "bundle", "import", out, "--trust-key", key)
    again = hubs("b", "bundle", "import", out, "--trust-key", key)

    assert "3 created, 0 updated, 0 unchanged, 0 failed" in first.output
    assert "0 created, 0 updated, 3 unchanged, 0 failed" in again.output


def test_export_by_ids(hubs, tmp_path):
    everything = tmp_path / "all.zip"
    hubs("a", "bundle", "export", "--out", everything)
    with zipfile.ZipFile(everything) as archive:
        ids = [r["id"] for r in json.loads(archive.read("manifest.json"))["records"]][:2]
    (tmp_path / "ids.txt").write_text("\n".join(ids) + "\n")
    out = tmp_path / "two.zip"
    assert (
        "2 resources"
        in hubs("a", "bundle", "export", "--out", out, "--ids", tmp_path / "ids.txt").output
    )


def test_import_refuses_an_untrusted_or_unsigned_bundle_and_says_what_to_do(hubs, tmp_path):
    out = tmp_path / "all.zip"
    hubs("a", "bundle", "export", "--out", out)
    refused = hubs("b", "bundle", "import", out, ok=False)
    assert "--trust-key" in refused.output
    unsigned = rewrite(out, tmp_path / "unsigned.zip", drop=["manifest.sig"])
    assert "--allow-unsigned" in hubs("b", "bundle", "import", unsigned, ok=False).output
    accepted = hubs("b", "bundle", "import", unsigned, "--allow-unsigned")
    assert "12 created" in accepted.output


def test_the_key_is_printed_as_pem_too(hubs):
    assert hubs("a", "bundle", "key", "--pem").output.startswith("-----BEGIN PUBLIC KEY-----")


def test_import_trusts_the_keys_trusted_on_the_admin_page(hubs, tmp_path):
    out = tmp_path / "all.zip"
    hubs("a", "bundle", "export", "--out", out)
    key = hubs("a", "bundle", "key").output.strip().splitlines()[-1]
    assert "--trust-key" in hubs("b", "bundle", "import", out, ok=False).output
    b = make_hub(tmp_path / "b")
    try:  # what /admin/bundles does with a pasted key
        b.bundle_imports.add_key(SYSTEM, key, "自治区平台")
    finally:
        b.close()
    accepted = hubs("b", "bundle", "import", out)  # no --trust-key: one trust store
    assert "12 created" in accepted.output
