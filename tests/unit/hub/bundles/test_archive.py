"""Whatever a signed manifest holds, reading it gives a valid manifest or a BundleRejected."""

from __future__ import annotations

import json
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.bundles import format as fmt
from hub.bundles import signing
from hub.bundles.archive import BundleArchive
from hub.errors import BundleRejected

SHA = "ab" * 32
SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
VALID = {
    "format": "eduhub-bundle",
    "version": 1,
    "created": "2026-12-06T00:00:00Z",
    "hub": {"name": "宁夏", "url": "https://res.nx.example.cn"},
    "query": {},
    "records": [
        {"id": "r1", "title": "课件", "files": [{"name": "a.pdf", "sha256": SHA, "size": 3}]}
    ],
    "files": [{"sha256": SHA, "size": 3, "path": fmt.file_path(SHA)}],
}
MUTATED = st.sampled_from(sorted(VALID)).flatmap(
    lambda key: JSON.map(lambda value: {**VALID, key: value})
)


def write_bundle(path, manifest, key):
    body = json.dumps(manifest).encode()
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", body)
        archive.writestr("manifest.sig", signing.sign(key, body))
        archive.writestr(fmt.file_path(SHA), b"abc")


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(manifest=JSON | MUTATED)
def test_any_signed_manifest_is_read_or_refused_cleanly(tmp_path, manifest):
    key = signing.hub_private_key(tmp_path)
    path = tmp_path / "b.zip"
    write_bundle(path, manifest, key)
    trusted = {signing.public_key_text(key.public_key())}
    with BundleArchive(path) as bundle:
        try:
            loaded = bundle.manifest(trusted, allow_unsigned=False)
        except BundleRejected as exc:
            assert "。" in exc.message and len(exc.message) > 20
            return
    assert loaded["version"] == 1 and isinstance(loaded["records"], list)


def test_the_valid_manifest_is_read(tmp_path):
    key = signing.hub_private_key(tmp_path)
    write_bundle(tmp_path / "b.zip", VALID, key)
    with BundleArchive(tmp_path / "b.zip") as bundle:
        trusted = {signing.public_key_text(key.public_key())}
        assert bundle.manifest(trusted, allow_unsigned=False)["records"][0]["id"] == "r1"
