"""The National Smart Education Platform connector: manifests and shards for listing, details for
file links.

Cursor (JSON): {module: {"version": module_version, "items": {id: fingerprint}}}. A module whose
version has not moved is skipped; otherwise the shards are read again and only new, changed and
removed items are yielded.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import replace

from connectors.base import (
    Connector,
    ConnectorError,
    Delete,
    Failed,
    HttpError,
    Item,
    RemoteFile,
    Upsert,
)
from connectors.national.catalogue import detail_files, parse_manifest, shard_items
from connectors.national.client import FILE_HOSTS, NationalClient
from connectors.national.crosswalk import ORIGIN_URL, TagCrosswalk
from metadata.crosswalks import default_lookup

log = logging.getLogger(__name__)

MODULES = {
    "tch_material": {
        "manifest": "/zxx/ndrs/resources/tch_material/version/data_version.json",
        "detail": "/zxx/ndrv2/resources/tch_material/details/{id}.json",
    },
}
GONE_STATUSES = {"OFFLINE", "DELETED", "REMOVED", "OFF_SHELF"}
MIMETYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "mp4": "video/mp4",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


class NationalConnector(Connector):
    kind = "national"

    def __init__(self, source_config, http):
        super().__init__(source_config, http)
        options = dict(source_config.options or {})
        if (
            source_config.url
            and "catalogue_hosts" not in options
            and source_config.url.startswith("http")
        ):
            options["catalogue_hosts"] = [source_config.url]
        self.client = NationalClient(http, options)
        self.modules = options.get("modules") or MODULES
        self.origin_url = options.get("origin_url") or ORIGIN_URL
        self.file_flags = set(options.get("file_flags") or ("source",))
        self.crosswalk = TagCrosswalk(default_lookup())

    @classmethod
    def file_origins(cls, config) -> tuple[str, ...]:
        options = config.options or {}
        return (*(options.get("file_hosts") or FILE_HOSTS), *(options.get("catalogue_hosts") or ()))

    def harvest(self, cursor: str | None, *, full: bool) -> Iterator[Item]:
        state = {} if full or not cursor else _load(cursor)
        for module, paths in self.modules.items():
            yield from self._module(module, paths, state)
        if self.crosswalk.unmatched:
            log.warning(
                "national tags without a local code (kept as keywords): %s",
                ", ".join(sorted(set(self.crosswalk.unmatched.values()))),
            )

    def _module(self, module: str, paths: dict, state: dict) -> Iterator[Item]:
        manifest = parse_manifest(self.client.get_json(paths["manifest"]))
        previous = state.get(module) or {}
        if previous.get("version") == manifest.version:
            return
        items = {}
        for path in manifest.paths:
            for item in shard_items(self.client.get_json(path)):
                items[str(item["id"])] = item
        seen = {
            item_id: _fingerprint(item)
            for item_id, item in items.items()
            if str(item.get("status") or "ONLINE").upper() not in GONE_STATUSES
        }
        old = previous.get("items") or {}
        work: list[Item] = [self._upsert(items[i], paths) for i in seen if old.get(i) != seen[i]]
        work += [Delete(i) for i in old if i not in seen]
        # Failed items are left out of the saved state, so the next run tries them again.
        for failed in (w for w in work if isinstance(w, Failed)):
            seen.pop(failed.external_id, None)
        # The module's new state is saved only once all of it is through; a rerun redoes it
        # idempotently.
        state[module] = {"version": manifest.version, "items": seen}
        new_state = json.dumps(state, separators=(",", ":"))
        for index, item in enumerate(work):
            yield replace(item, cursor_after=new_state if index == len(work) - 1 else None)

    def retry(self, external_id: str, payload) -> Item:
        """Map a failed catalogue item (its payload) again, fetching its detail afresh."""
        if not isinstance(payload, dict) or str(payload.get("id")) != external_id:
            return Failed(
                external_id, "no catalogue item kept for this record; run a full sync", payload
            )
        module = payload.get("_module") or next(iter(self.modules))
        return self._upsert(payload, self.modules[module])

    def _upsert(self, item: dict, paths: dict) -> Item:
        item_id = str(item["id"])
        try:
            record = self.crosswalk.record(item, origin_url=self.origin_url)
        except (KeyError, TypeError, ValueError) as exc:
            return Failed(item_id, f"catalogue item could not be mapped: {exc}", item)
        if not record.get("title"):
            return Failed(item_id, "catalogue item has no title", item)
        try:
            detail = self.client.get_json(paths["detail"].format(id=item_id))
        except HttpError as exc:
            return Failed(
                item_id, f"detail JSON unavailable (HTTP {exc.status or 'error'}): {exc}", item
            )
        except ConnectorError as exc:
            return Failed(item_id, f"detail JSON unreadable: {exc}", item)
        files = self._files(item, detail)
        record["provenance"]["files"] = [f.url for f in files]
        return Upsert(item_id, record, files if self.config.fetch_files else [])

    def _files(self, item: dict, detail: dict) -> list[RemoteFile]:
        out = []
        for index, remote in enumerate(detail_files(detail)):
            if remote.flag not in self.file_flags:
                continue
            url = self.client.file_url(remote.storage, index)
            extension = (remote.format or "bin").lower()
            name = f"{item.get('title') or item['id']}.{extension}".replace("/", "_")
            out.append(
                RemoteFile(
                    name=name,
                    url=url,
                    size=remote.size,
                    mimetype=MIMETYPES.get(extension),
                    headers=self.client.auth_headers(url),
                )
            )
        return out


def _fingerprint(item: dict) -> str:
    """Changes in anything the platform says about an item, in 16 hex characters."""
    raw = json.dumps(item, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    return hashlib.sha256(raw).hexdigest()[:16]


def _load(cursor: str) -> dict:
    try:
        value = json.loads(cursor)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
