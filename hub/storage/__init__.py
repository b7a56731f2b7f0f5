"""Object storage: `store_from_url` picks the adapter named by `EDUHUB_STORAGE_URL`."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from hub.storage.base import ObjectStore, object_key
from hub.storage.local import LocalStore
from hub.storage.memory import memory_store
from hub.storage.staging import Staged

TRUE = {"1", "true", "yes", "on"}


def store_from_url(url: str, data_dir: Path) -> ObjectStore:
    """The store named by `url`.

    `file:///abs/path`, `s3://BUCKET?endpoint_url=...&region=...&addressing_style=path&create_bucket=true`,
    `memory://` (a fresh in-process store) or `memory://NAME` (one per name and process) for tests.
    """
    parts = urlsplit(url)
    tmp_dir = Path(data_dir) / "tmp"
    if parts.scheme == "memory":
        return memory_store(parts.netloc + parts.path.strip("/"), tmp_dir)
    if parts.scheme == "file":
        return LocalStore(Path(unquote(parts.netloc + parts.path)), tmp_dir=tmp_dir)
    if parts.scheme == "s3":
        from hub.storage.s3 import S3Store  # boto3 is heavy: loaded only for s3:// storage

        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if not parts.netloc:
            raise ValueError(f"EDUHUB_STORAGE_URL needs a bucket name: {url!r}")
        return S3Store(
            parts.netloc,
            tmp_dir=tmp_dir,
            endpoint_url=query.get("endpoint_url"),
            region=query.get("region"),
            addressing_style=query.get("addressing_style"),
            create_bucket=query.get("create_bucket", "").lower() in TRUE,
        )
    raise ValueError(
        f"unsupported EDUHUB_STORAGE_URL scheme {parts.scheme!r}: use file://, s3:// or memory://"
    )


__all__ = ["ObjectStore", "Staged", "object_key", "store_from_url"]
