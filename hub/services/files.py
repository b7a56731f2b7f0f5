"""Files of a resource: streamed, hashed, type-checked uploads; downloads that respect
visibility."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from pathlib import Path

from hub.db.models import Resource
from hub.errors import InvalidInput, NotFound, PayloadTooLarge
from hub.security.principal import Principal
from hub.storage.names import sanitise_filename
from hub.storage.sniff import sniff_type
from hub.tasks.topics import Topic

MAX_FILES_PER_RESOURCE = 50


@dataclass(frozen=True)
class Download:
    kind: str  # "local" (serve the path) or "redirect" (send the client to `url`)
    name: str
    size: int
    sha256: str
    mimetype: str
    public: bool
    path: Path | None = None
    url: str | None = None


def download_of(store, name, size, sha256, mimetype, public) -> Download:
    """A stored object sent as `name`: from a local path, or by a presigned URL. `size` None: the
    local file's own (renditions and posters have no recorded size)."""
    path = store.local_path(sha256)
    if path is not None:
        size = path.stat().st_size if size is None else size
        return Download("local", name, size, sha256, mimetype, public, path=path)
    url = store.presigned_url(sha256, filename=name, mimetype=mimetype)
    return Download("redirect", name, size or 0, sha256, mimetype, public, url=url)


class FileService:
    def __init__(self, uow, resources, storage, config):
        self.uow, self.resources, self.storage, self.config = uow, resources, storage, config

    @property
    def max_bytes(self) -> int:
        return self.config.max_upload_bytes

    def upload(
        self,
        actor: Principal,
        resource_id: str,
        name: str,
        stream,
        *,
        content_length: int | None,
        digest: str | None = None,
    ) -> dict:

        name = sanitise_filename(name)
        expected = parse_digest(digest)
        self.check_length(content_length)
        # Check permission before reading a byte of the body.
        with self.uow(actor) as uow:
            self.resources.load_editable(uow.session, actor, resource_id)
        stored = self._store_stream(
            stream, name, content_length=content_length, expected_sha256=expected
        )
        with self.uow(actor) as uow:
            resource = self.resources.load_editable(uow.session, actor, resource_id)
            if len(resource.files) >= MAX_FILES_PER_RESOURCE and name not in {
                f.name for f in resource.files
            }:
                raise InvalidInput(
                    f"每个资源最多 {MAX_FILES_PER_RESOURCE} 个文件。"
                    f"At most {MAX_FILES_PER_RESOURCE} files a resource."
                )
            self.resources.attach_blob(uow, resource, name=name, **stored)
            uow.audit(
                "file.upload",
                "resource",
                resource.id,
                name=name,
                sha256=stored["sha256"],
                size=stored["size"],
            )
            uow.outbox(
                Topic.FILE_EXTRACT,
                id=resource.id,
                sha256=stored["sha256"],
                mimetype=stored["mimetype"],
            )
            for topic in (Topic.FILE_PREVIEW, Topic.FILE_RENDITION):
                uow.outbox(
                    topic, id=resource.id, sha256=stored["sha256"], mimetype=stored["mimetype"]
                )
            uow.commit()
        return {"name": name, **stored}

    def store_harvested_file(
        self,
        uow,
        resource: Resource,
        *,
        name: str,
        stream,
        max_bytes: int,
        expected_sha256: str | None = None,
    ) -> dict:

        name = sanitise_filename(name)
        stored = self._store_stream(
            stream, name, content_length=None, expected_sha256=expected_sha256, max_bytes=max_bytes
        )
        self.resources.attach_blob(uow, resource, name=name, **stored)
        uow.outbox(
            Topic.FILE_EXTRACT, id=resource.id, sha256=stored["sha256"], mimetype=stored["mimetype"]
        )
        for topic in (Topic.FILE_PREVIEW, Topic.FILE_RENDITION):
            uow.outbox(topic, id=resource.id, sha256=stored["sha256"], mimetype=stored["mimetype"])
        return {"name": name, **stored}

    def delete(self, actor: Principal, resource_id: str, name: str) -> None:
        with self.uow(actor) as uow:
            resource = self.resources.load_editable(uow.session, actor, resource_id)
            found = next((f for f in resource.files if f.name == name), None)
            if found is None:
                raise NotFound(
                    f"该资源没有名为 {name} 的文件。This resource has no file named {name}."
                )
            resource.files.remove(found)
            self.resources.touch(resource)
            uow.audit("file.delete", "resource", resource.id, name=name, sha256=found.sha256)
            uow.commit()

    def open_download(self, actor: Principal, resource_id: str, name: str) -> Download:
        with self.uow(actor) as uow:
            resource = self.resources.load_readable(uow.session, actor, resource_id)
            found = next((f for f in resource.files if f.name == name), None)
            if found is None:
                raise NotFound(
                    f"该资源没有名为 {name} 的文件。This resource has no file named {name}."
                )
            # Downloads are counted from usage events by `eduhub stats refresh`.
            public = resource.status == "published" and resource.visibility == "public"
        return self._download(found.name, found.size, found.sha256, found.mimetype, public)

    def note_download(self, actor: Principal, resource_id: str, download: Download) -> None:
        """An administrator's download of a file that is not public goes into the audit log:
        administrators can read every school's drafts and restricted files."""
        if not actor.is_admin or download.public:
            return
        with self.uow(actor) as uow:
            uow.audit(
                "file.download", "resource", resource_id, name=download.name, sha256=download.sha256
            )
            uow.commit()

    def _download(self, name, size, sha256, mimetype, public) -> Download:
        return download_of(self.storage, name, size, sha256, mimetype, public)

    def check_can_upload(self, actor: Principal, resource_id: str) -> None:
        """Raise unless `actor` may add files to the resource (before a multipart body is
        parsed)."""
        with self.uow(actor) as uow:
            self.resources.load_editable(uow.session, actor, resource_id)

    def check_length(self, content_length: int | None) -> None:
        if content_length is not None and content_length > self.max_bytes:
            raise PayloadTooLarge(too_large_message(self.config.max_upload_mb))

    def _store_stream(
        self, stream, name: str, *, content_length, expected_sha256, max_bytes=None
    ) -> dict:

        store = self.storage
        try:
            staged = store.stage(
                stream, max_bytes=max_bytes or self.max_bytes, expected_length=content_length
            )
        except PayloadTooLarge:
            raise PayloadTooLarge(too_large_message(self.config.max_upload_mb)) from None
        try:
            if expected_sha256 and staged.sha256 != expected_sha256:
                raise InvalidInput(
                    "文件校验值（Digest）不符，文件未保存，请重新上传。"
                    "The file does not match its Digest header; nothing was attached, "
                    "please upload again."
                )
            mimetype = sniff_type(staged.path, name)
            store.commit(staged, mimetype)
        except BaseException:
            store.discard(staged)
            raise
        return {"sha256": staged.sha256, "size": staged.size, "mimetype": mimetype}


def too_large_message(limit_mb: int) -> str:
    return f"文件超过 {limit_mb} MB 的上限。The file is larger than the {limit_mb} MB limit."


def parse_digest(header: str | None) -> str | None:
    """`Digest: sha-256=BASE64` (RFC 3230) to a hex SHA-256; other algorithms in the list are
    ignored."""
    if not header:
        return None
    for part in header.split(","):
        algorithm, _, value = part.strip().partition("=")
        if algorithm.strip().lower() != "sha-256":
            continue
        try:
            raw = base64.b64decode(value.strip(), validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:
            raise InvalidInput(
                "Digest 头格式应为 sha-256=<Base64>。"
                "The Digest header must be sha-256=<base64 of the SHA-256>."
            )
        return raw.hex()
    raise InvalidInput("Digest 头中没有 sha-256。The Digest header must include sha-256=<base64>.")
