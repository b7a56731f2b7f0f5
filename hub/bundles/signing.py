"""Ed25519 signatures of bundle manifests: the hub's own key, and the keys an operator trusts."""

from __future__ import annotations

import base64
import binascii
import json
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from hub.errors import BundleRejected

KEY_FILE = "bundle_signing_key.pem"
ALGORITHM = "ed25519"


def hub_private_key(data_dir: Path) -> Ed25519PrivateKey:
    """The hub's key, generated once into the data directory (mode 0600), then read back."""
    path = Path(data_dir) / KEY_FILE
    if not path.exists():
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:  # O_EXCL: when two processes race, the first key written wins and both use it
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(pem)
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def own_public_key(data_dir: Path) -> str | None:
    """This hub's public key if it has one; never creates one (a refused import leaves no trace)."""
    if not (Path(data_dir) / KEY_FILE).exists():
        return None
    return public_key_text(hub_private_key(data_dir).public_key())


def public_key_text(key: Ed25519PublicKey) -> str:
    """The raw public key in base64, as `--trust-key` and `GET /api/v1/bundles/key` give it."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def public_key_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def sign(private_key: Ed25519PrivateKey, manifest: bytes) -> bytes:
    """The detached signature entry: JSON naming the algorithm and key, the signature in base64."""
    doc = {
        "algorithm": ALGORITHM,
        "key": public_key_text(private_key.public_key()),
        "signature": base64.b64encode(private_key.sign(manifest)).decode("ascii"),
    }
    return json.dumps(doc, indent=1).encode("utf-8")


def parse_key(text: str) -> str:
    """A trusted key as base64, PEM, or a file holding either; returns base64."""
    text = text.strip()
    if not text.startswith("-----") and len(text) != 44 and Path(text).is_file():
        text = Path(text).read_text(encoding="utf-8").strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(text.encode("ascii"))
            if not isinstance(key, Ed25519PublicKey):
                raise ValueError("not an Ed25519 key")
            return public_key_text(key)
        return public_key_text(
            Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
        )
    except (ValueError, binascii.Error, UnicodeError) as exc:
        raise BundleRejected(
            f"无法读取信任的公钥：{exc}。Cannot read the trusted key ({exc}): give the base64 "
            "key from "
            "GET /api/v1/bundles/key, a PEM public key, or a file holding one."
        ) from None


def verify(
    manifest: bytes, signature: bytes | None, trusted: set[str], *, allow_untrusted: bool = False
) -> str:
    """The signing key (base64) when `signature` is a trusted key's signature of `manifest`.

    `allow_untrusted` (--allow-unsigned) accepts an unknown key, never a broken signature."""
    if signature is None:
        raise BundleRejected(
            "离线包没有签名，无法确认来源。The bundle has no signature (manifest.sig), so "
            "its origin cannot be checked: ask its hub for a signed bundle, or import with "
            "--allow-unsigned if you trust the file."
        )
    try:
        doc = json.loads(signature)
        key_text, raw = doc["key"], base64.b64decode(doc["signature"], validate=True)
        if doc.get("algorithm") != ALGORITHM:
            raise ValueError(doc.get("algorithm"))
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(key_text, validate=True))
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise BundleRejected(
            "签名文件无法读取。The signature entry (manifest.sig) is not readable: the "
            "bundle is damaged or was not made by EduHub; ask its hub for a new one."
        ) from None
    if key_text not in trusted and not allow_untrusted:
        raise BundleRejected(
            f"签名密钥不受信任。The bundle is signed by a key you do not trust ({key_text}): "
            "check it with the hub's administrators (GET /api/v1/bundles/key), then import "
            "with --trust-key KEY."
        )
    try:
        key.verify(raw, manifest)
    except InvalidSignature:
        raise BundleRejected(
            "签名不符，清单在签名后被改动过。The signature does not match the manifest: it "
            "was changed after signing. Do not use this file; ask its hub for a new bundle."
        ) from None
    return key_text
