"""The bundle format (version 1): entry names, the manifest's shape, checks on entry paths."""

from __future__ import annotations

import re
import stat

from marshmallow import Schema, ValidationError, fields, validate

FORMAT = "eduhub-bundle"
VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
INDEX = "index.html"
ASSETS = ("assets/app.js", "assets/app.css")
DATA_JS = "assets/data.js"
SHA256_RE = re.compile(r"[0-9a-f]{64}")
_DRIVE = re.compile(r"^[A-Za-z]:")
_UNSAFE_CHARS = re.compile(r"[\x00-\x1f\x7f\\]")


def file_path(sha256: str) -> str:
    """`files/<first two hex>/<sha256>`: each body once, whatever the number of records using it."""
    if not SHA256_RE.fullmatch(sha256):
        raise ValueError(f"not a lowercase SHA-256 hex digest: {sha256!r}")
    return f"files/{sha256[:2]}/{sha256}"


def unsafe_path_reason(name: str) -> str | None:
    """Why an entry name would escape the folder it is unpacked into, or None when it is safe."""
    if not name or len(name) > 500:
        return "empty or overlong name"
    if _UNSAFE_CHARS.search(name):
        return "backslash or control character"
    if name.startswith("/") or _DRIVE.match(name):
        return "absolute path"
    if ":" in name:  # Windows reads "a:b" as a stream of file a
        return "colon in the name"
    parts = name.rstrip("/").split("/")
    if any(part in ("", ".", "..") for part in parts):
        return "'..', '.' or empty path segment"
    return None


def is_symlink(info) -> bool:
    """An entry that unpacks as a symbolic link (Unix mode in its external attributes)."""
    mode = (info.external_attr >> 16) & 0xFFFF
    return bool(mode) and stat.S_ISLNK(mode)


class HubSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(max=200))
    url = fields.String(required=True, validate=validate.Regexp(r"^https?://[^\s/]+"))


class FileSchema(Schema):
    sha256 = fields.String(required=True, validate=validate.Regexp(SHA256_RE.pattern + "$"))
    size = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    path = fields.String(required=True)


class RecordFileSchema(Schema):
    class Meta:
        unknown = "include"

    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    sha256 = fields.String(required=True, validate=validate.Regexp(SHA256_RE.pattern + "$"))
    size = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))


class RecordSchema(Schema):
    """What the importer relies on; the fields are validated again as a harvested record's."""

    class Meta:
        unknown = "include"

    id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    title = fields.String(required=True)
    files = fields.List(fields.Nested(RecordFileSchema), load_default=list)


class ManifestSchema(Schema):
    class Meta:
        unknown = "include"

    format = fields.String(required=True, validate=validate.Equal(FORMAT))
    version = fields.Integer(required=True, strict=True)
    created = fields.String(required=True)
    hub = fields.Nested(HubSchema, required=True)
    query = fields.Dict(load_default=dict)
    records = fields.List(fields.Nested(RecordSchema), required=True)
    files = fields.List(fields.Nested(FileSchema), required=True)


def check_manifest(data) -> dict:
    """The manifest's shape; raises ValidationError with field messages."""
    if isinstance(data, dict) and data.get("format") == FORMAT and data.get("version") != VERSION:
        raise ValidationError({"version": [f"unknown format version {data.get('version')!r}"]})
    loaded = ManifestSchema().load(data)
    for entry in loaded["files"]:
        if entry["path"] != file_path(entry["sha256"]):
            raise ValidationError({"files": [f"{entry['path']!r} is not files/<2 hex>/<sha256>"]})
    listed = {f["sha256"] for f in loaded["files"]}
    for record in loaded["records"]:
        missing = [f["sha256"] for f in record["files"] if f["sha256"] not in listed]
        if missing:
            raise ValidationError({"records": [f"record {record['id']} names unlisted files"]})
    return loaded
