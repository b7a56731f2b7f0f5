"""Hostile or damaged bundles are refused with a message saying what is wrong; nothing changes."""

from __future__ import annotations

import json
import stat
import zipfile

import pytest

from hub.bundles import signing
from hub.bundles.archive import Limits
from hub.db.models import ResourceFile
from hub.errors import BundleRejected
from tests.support.bundles import hub_state, rewrite


@pytest.fixture
def origin_private(origin):
    return signing.hub_private_key(origin.config.data_dir)


def manifest_change(fn):
    """A `change` that edits the parsed manifest."""

    def change(name, body):
        if name != "manifest.json":
            return body
        data = json.loads(body)
        result = fn(data)
        return (
            result if isinstance(result, bytes) else json.dumps(data, ensure_ascii=False).encode()
        )

    return change


def first_file(bundle) -> str:
    with zipfile.ZipFile(bundle) as archive:
        return json.loads(archive.read("manifest.json"))["files"][0]["path"]


def symlink_entry(name="files/link"):
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def bomb_entry():
    info = zipfile.ZipInfo("assets/padding.bin")
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def hostile_cases(bundle, origin_private, tmp_path):
    """(label, path of the hostile bundle, words the message must contain)."""
    out = tmp_path / "hostile.zip"
    path = first_file(bundle)

    def flip(name, body):
        return (bytes([body[0] ^ 1]) + body[1:]) if name == path else body

    cases = {
        "checksum": (lambda: rewrite(bundle, out, change=flip), "SHA-256"),
        "dotdot": (lambda: rewrite(bundle, out, add=[("../evil.txt", b"x")]), "outside its folder"),
        "absolute": (lambda: rewrite(bundle, out, add=[("/etc/evil", b"x")]), "absolute"),
        "drive": (lambda: rewrite(bundle, out, add=[("C:/evil.txt", b"x")]), "absolute"),
        "backslash": (lambda: rewrite(bundle, out, add=[("files\\..\\evil", b"x")]), "backslash"),
        "symlink": (lambda: rewrite(bundle, out, add=[(symlink_entry(), b"/etc/passwd")]), "link"),
        "bomb": (lambda: rewrite(bundle, out, add=[(bomb_entry(), bytes(40 << 20))]), "bomb"),
        "version": (
            lambda: rewrite(
                bundle,
                out,
                change=manifest_change(lambda m: m.update(version=2)),
                key=origin_private,
            ),
            "version",
        ),
        "tampered": (
            lambda: rewrite(
                bundle, out, change=manifest_change(lambda m: m["records"][0].update(title="改"))
            ),
            "does not match the manifest",
        ),
        "unsigned": (lambda: rewrite(bundle, out, drop=["manifest.sig"]), "no signature"),
        "missing file": (lambda: rewrite(bundle, out, drop=[path]), "lacks"),
        "not json": (
            lambda: rewrite(
                bundle, out, change=manifest_change(lambda m: b"{not json"), key=origin_private
            ),
            "not valid JSON",
        ),
        "wrong shape": (
            lambda: rewrite(
                bundle,
                out,
                change=manifest_change(lambda m: m.update(records={"a": 1})),
                key=origin_private,
            ),
            "records",
        ),
        "truncated": (lambda: truncate(bundle, out), "not a complete ZIP"),
    }
    return cases


def truncate(bundle, out):
    body = bundle.read_bytes()
    out.write_bytes(body[: len(body) * 2 // 3])
    return out


CASES = [
    "checksum",
    "dotdot",
    "absolute",
    "drive",
    "backslash",
    "symlink",
    "bomb",
    "version",
    "tampered",
    "unsigned",
    "missing-file",
    "not-json",
    "wrong-shape",
    "truncated",
]


@pytest.mark.parametrize("case", CASES)
def test_hostile_bundle_is_rejected_without_side_effects(
    case, bundle, origin_private, origin_key, target, tmp_path
):
    make, words = hostile_cases(bundle, origin_private, tmp_path)[case.replace("-", " ")]
    hostile = make()
    before = hub_state(target)

    with pytest.raises(BundleRejected) as caught:
        target.bundle_importer(trusted_keys=[origin_key]).run(hostile)

    assert words in caught.value.message
    assert hub_state(target) == before
    assert not list((target.config.data_dir / "objects").rglob("*.part"))


def test_a_bundle_from_an_untrusted_key_is_refused_and_says_how_to_trust_it(bundle, target):
    before = hub_state(target)
    with pytest.raises(BundleRejected, match="--trust-key"):
        target.bundle_importer().run(bundle)
    assert hub_state(target) == before


def test_allow_unsigned_accepts_an_unsigned_bundle_but_never_a_tampered_one(
    bundle, target, tmp_path
):
    unsigned = rewrite(bundle, tmp_path / "unsigned.zip", drop=["manifest.sig"])
    assert target.bundle_importer(allow_unsigned=True).run(unsigned).created == 50

    tampered = rewrite(
        bundle,
        tmp_path / "tampered.zip",
        change=manifest_change(lambda m: m["records"][0].update(title="改")),
    )
    with pytest.raises(BundleRejected, match="does not match"):
        target.bundle_importer(allow_unsigned=True).run(tampered)


def test_the_size_limit_is_checked_on_the_central_directory(bundle, origin_key, target):
    before = hub_state(target)
    with pytest.raises(BundleRejected, match="unpack to"):
        target.bundle_importer(trusted_keys=[origin_key], limits=Limits(max_total=100_000)).run(
            bundle
        )
    assert hub_state(target) == before


def test_an_entry_that_lies_about_its_size_is_caught_while_reading(
    bundle, origin_key, target, tmp_path
):
    """The central directory says 100 bytes fewer than the entry holds: reading stops there,
    and the bytes cannot match the manifest's size and checksum, whatever the header claims."""
    path = first_file(bundle)
    body = bytearray(bundle.read_bytes())
    with zipfile.ZipFile(bundle) as archive:
        info = archive.getinfo(path)
    lied = info.file_size - 100
    old = info.file_size.to_bytes(4, "little") + info.file_size.to_bytes(4, "little")
    at = body.rfind(info.compress_size.to_bytes(4, "little") + info.file_size.to_bytes(4, "little"))
    assert body[at : at + 8] == old
    body[at : at + 8] = lied.to_bytes(4, "little") + lied.to_bytes(4, "little")
    hostile = tmp_path / "lying.zip"
    hostile.write_bytes(bytes(body))
    before = hub_state(target)

    with pytest.raises(BundleRejected, match="damaged"):
        target.bundle_importer(trusted_keys=[origin_key]).run(hostile)
    assert hub_state(target) == before


def test_a_refused_import_leaves_the_data_directory_as_it_was(bundle, target, tmp_path):
    """Not even a signing key is made for the hub that refused the bundle."""
    before = sorted(
        p.relative_to(target.config.data_dir) for p in target.config.data_dir.rglob("*")
    )
    before = [p for p in before if not p.name.startswith("hub.db")]
    with pytest.raises(BundleRejected):
        target.bundle_importer().run(bundle)
    after = sorted(p.relative_to(target.config.data_dir) for p in target.config.data_dir.rglob("*"))
    assert [p for p in after if not p.name.startswith("hub.db")] == before


def test_a_bundle_of_this_hubs_own_records_changes_nothing_here(origin, bundle):
    before = hub_state(origin)
    report = origin.bundle_importer().run(bundle)
    assert (report.created, report.updated, report.unchanged, report.failed) == (0, 0, 50, 0)
    assert hub_state(origin) == before


def test_a_record_cannot_claim_another_size_for_a_verified_file(
    bundle, origin_private, origin_key, target, tmp_path
):
    def shrink(m):
        m["records"][0]["files"][0]["size"] = 1

    lying = rewrite(
        bundle, tmp_path / "lying.zip", change=manifest_change(shrink), key=origin_private
    )
    target.bundle_importer(trusted_keys=[origin_key]).run(lying)
    with target.db.session() as session:
        sizes = {f.size for f in session.query(ResourceFile)}
    assert 1 not in sizes
