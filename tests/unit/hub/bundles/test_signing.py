"""The hub's signing key (made once, private to its owner) and manifest signatures."""

from __future__ import annotations

import json
import stat

import pytest

from hub.bundles import signing
from hub.errors import BundleRejected


def test_the_key_is_generated_once_and_readable_only_by_its_owner(tmp_path):
    first = signing.hub_private_key(tmp_path)
    again = signing.hub_private_key(tmp_path)
    mode = stat.S_IMODE((tmp_path / signing.KEY_FILE).stat().st_mode)
    assert mode == 0o600
    assert signing.public_key_text(first.public_key()) == signing.public_key_text(
        again.public_key()
    )


def test_a_signature_verifies_with_the_trusted_key_in_base64_or_pem(tmp_path):
    key = signing.hub_private_key(tmp_path)
    sig = signing.sign(key, b"manifest")
    as_text = signing.public_key_text(key.public_key())
    pem_file = tmp_path / "hub.pem"
    pem_file.write_text(signing.public_key_pem(key.public_key()))
    for given in (as_text, signing.public_key_pem(key.public_key()), str(pem_file)):
        assert signing.verify(b"manifest", sig, {signing.parse_key(given)}) == as_text


def test_changed_bytes_or_an_unknown_key_are_refused(tmp_path):
    key = signing.hub_private_key(tmp_path / "a")
    other = signing.hub_private_key(tmp_path / "b")
    trusted = {signing.public_key_text(key.public_key())}
    with pytest.raises(BundleRejected, match="does not match"):
        signing.verify(b"manifest!", signing.sign(key, b"manifest"), trusted)
    with pytest.raises(BundleRejected, match="do not trust"):
        signing.verify(b"manifest", signing.sign(other, b"manifest"), trusted)
    forged = json.loads(signing.sign(other, b"manifest"))
    forged["key"] = next(iter(trusted))  # claims the trusted key, signed by another
    with pytest.raises(BundleRejected, match="does not match"):
        signing.verify(b"manifest", json.dumps(forged).encode(), trusted)


@pytest.mark.parametrize(
    "garbage", [b"", b"{}", b"not json", b'{"algorithm": "rsa", "key": "", "signature": ""}']
)
def test_an_unreadable_signature_is_refused(garbage):
    with pytest.raises(BundleRejected, match="not readable"):
        signing.verify(b"manifest", garbage, set())


def test_an_unreadable_trusted_key_says_what_to_give():
    with pytest.raises(BundleRejected, match="GET /api/v1/bundles/key"):
        signing.parse_key("not-a-key")
