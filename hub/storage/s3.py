"""Object storage on any S3-compatible service (AWS S3, MinIO, Ceph RGW, Swift with s3api) through
boto3."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

import boto3
from boto3.exceptions import S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

from hub.errors import ServiceUnavailable
from hub.storage.base import HEX, ObjectStore, object_key
from hub.storage.names import content_disposition
from hub.storage.staging import Staged

PART_SIZE = 16 * 1024 * 1024
MISSING = {"404", "NoSuchKey", "NotFound", "NoSuchBucket"}


class S3Store(ObjectStore):
    """Objects under `objects/ab/cd/<sha256>` in one bucket; uploads are staged locally, then sent
    in parts."""

    def __init__(
        self,
        bucket: str,
        *,
        tmp_dir: Path,
        endpoint_url: str | None = None,
        region: str | None = None,
        addressing_style: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        create_bucket: bool = False,
    ):
        super().__init__(tmp_dir)
        self.bucket = bucket
        self.create_bucket = create_bucket
        self._client_args = dict(
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
        )
        self._addressing_style = addressing_style or "auto"
        self._client_pid = None
        self._client = None
        self._bucket_checked = False
        self._origin: str | None = None
        self.transfer = TransferConfig(
            multipart_threshold=PART_SIZE, multipart_chunksize=PART_SIZE, max_concurrency=4
        )

    @property
    def client(self):
        # boto3 clients must not cross a fork (gunicorn, Celery prefork): build one per process.
        if self._client is None or self._client_pid != os.getpid():
            self._client = _make_client(self._client_args, self._addressing_style)
            self._client_pid = os.getpid()
        return self._client

    def commit(self, staged: Staged, mimetype: str) -> bool:
        try:
            with _unavailable():
                self._ensure_bucket()
                if self.exists(staged.sha256):
                    return False
                # A single PUT or a completed multipart upload both appear atomically under the key.
                self.client.upload_file(
                    str(staged.path),
                    self.bucket,
                    object_key(staged.sha256),
                    ExtraArgs={"ContentType": mimetype, "Metadata": {"sha256": staged.sha256}},
                    Config=self.transfer,
                )
                return True
        finally:
            self.discard(staged)

    def exists(self, sha256: str) -> bool:
        with _unavailable():
            try:
                self.client.head_object(Bucket=self.bucket, Key=object_key(sha256))
                return True
            except ClientError as exc:
                if _code(exc) in MISSING:
                    return False
                raise

    def open(self, sha256: str) -> BinaryIO:
        with _unavailable():
            try:
                return self.client.get_object(Bucket=self.bucket, Key=object_key(sha256))["Body"]
            except ClientError as exc:
                if _code(exc) in MISSING:
                    raise FileNotFoundError(sha256) from exc
                raise

    def presigned_url(
        self, sha256: str, *, filename: str, mimetype: str, expires: int = 300
    ) -> str | None:
        params = {
            "Bucket": self.bucket,
            "Key": object_key(sha256),
            "ResponseContentDisposition": content_disposition(filename),
            "ResponseContentType": mimetype,
        }
        return self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires)

    def public_origin(self) -> str | None:
        # Presigning is local arithmetic (no request): sign a dummy key once and keep its origin.
        if self._origin is None:
            url = urlsplit(self.presigned_url("0" * 64, filename="x", mimetype="video/mp4"))
            self._origin = f"{url.scheme}://{url.netloc}"
        return self._origin

    def delete(self, sha256: str) -> None:
        with _unavailable():
            self.client.delete_object(Bucket=self.bucket, Key=object_key(sha256))

    def delete_many(self, sha256s: list[str]) -> None:
        """Delete up to 1,000 objects in one request (the garbage collector's path)."""
        for start in range(0, len(sha256s), 1000):
            keys = [{"Key": object_key(s)} for s in sha256s[start : start + 1000]]
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys, "Quiet": True})

    def iter_keys(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix="objects/"
        )
        for page in pages:
            for item in page.get("Contents", []):
                name = item["Key"].rsplit("/", 1)[-1]
                if len(name) == 64 and set(name) <= HEX:
                    yield name

    def check_ready(self) -> None:
        try:
            self._ensure_bucket()
            self.client.head_bucket(Bucket=self.bucket)
        except (BotoCoreError, ClientError) as exc:
            raise ServiceUnavailable(
                f"对象存储不可用，请稍后再试。Object storage is unavailable ({exc}); "
                "please try again later."
            ) from exc

    def _ensure_bucket(self) -> None:
        if self._bucket_checked or not self.create_bucket:
            return
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            if _code(exc) not in MISSING:
                raise
            region = self._client_args["region_name"]
            extra = (
                {"CreateBucketConfiguration": {"LocationConstraint": region}}
                if region and region != "us-east-1"
                else {}
            )
            self.client.create_bucket(Bucket=self.bucket, **extra)
        self._bucket_checked = True


def _make_client(args: dict, addressing_style: str):
    config = BotoConfig(
        signature_version="s3v4",
        s3={"addressing_style": addressing_style},
        retries={"max_attempts": 5, "mode": "standard"},
        # Newer botocore sends CRC32 checksums and aws-chunked bodies by default, which
        # Swift, Ceph and older MinIO refuse; ask for checksums only where S3 requires them.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    client = boto3.session.Session().client(
        "s3", config=config, **{k: v for k, v in args.items() if v}
    )
    client.meta.events.register("before-sign.s3.DeleteObjects", _add_content_md5)
    return client


def _add_content_md5(request, **_) -> None:
    """Swift's s3api insists on Content-MD5 for DeleteObjects, where botocore now sends only a
    CRC."""
    body = request.body if isinstance(request.body, bytes) else (request.body or b"").encode()
    digest = hashlib.md5(body, usedforsecurity=False).digest()
    request.headers["Content-MD5"] = base64.b64encode(digest).decode("ascii")


@contextlib.contextmanager
def _unavailable():
    """The store failing for a moment (unreachable, 5xx, throttled, an upload abandoned after its
    retries) as ServiceUnavailable: the client gets a 503 with Retry-After, a worker retries."""
    try:
        yield
    except ClientError as exc:
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        if status >= 500 or _code(exc) in {"SlowDown", "ServiceUnavailable", "InternalError"}:
            raise ServiceUnavailable(STORE_DOWN) from exc
        raise
    except (BotoCoreError, S3UploadFailedError) as exc:
        raise ServiceUnavailable(STORE_DOWN) from exc


STORE_DOWN = (
    "对象存储暂时不可用，请稍后再试。Object storage is unavailable for a moment; please try again "
    "shortly."
)


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))
