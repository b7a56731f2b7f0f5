"""A collection (备课包) as one signed offline bundle: its readable items through the exporter."""

from __future__ import annotations

import hashlib
from pathlib import Path

from hub.errors import ValidationFailed
from hub.security.principal import Principal
from hub.services.files import Download


class CollectionBundles:
    """Builds a collection's bundle with `exporter` as the viewer may read it, from what
    `collections` says; kept in `folder` per collection revision and viewer until it changes."""

    def __init__(self, *, collections, exporter, folder: Path):
        self.collections, self.exporter, self.folder = collections, exporter, Path(folder)

    def download(self, actor: Principal, collection_id: str) -> Download:
        collection, ids = self.collections.readable_ids(actor, collection_id)
        if not ids:
            raise ValidationFailed(
                "备课包中没有您可以下载的资源。This collection holds nothing you may download."
            )
        # The ids are in the key: a resource the viewer may no longer read leaves the bundle.
        digest = hashlib.sha256(" ".join(ids).encode()).hexdigest()[:12]
        key = f"{collection['id']}-r{collection['revision']}-u{actor.user_id or 0}-{digest}"
        path = self.folder / f"{key}.zip"
        if not path.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            self._clear_older(collection["id"], actor)
            self.exporter.export(path, ids=ids, actor=actor)
        return Download(
            kind="local",
            name=f"eduhub-collection-{collection['id'][:8]}-r{collection['revision']}.zip",
            size=path.stat().st_size,
            sha256=key,  # the ETag: one bundle of one revision for one viewer
            mimetype="application/zip",
            public=False,
            path=path,
        )

    def _clear_older(self, collection_id: str, actor: Principal) -> None:
        # Earlier revisions' ZIPs for this viewer are never served again.
        for old in self.folder.glob(f"{collection_id}-r*-u{actor.user_id or 0}-*.zip"):
            old.unlink(missing_ok=True)
