"""Importing a bundle: verify everything, store the files, upsert the records as harvested."""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select

from hub.bundles import signing
from hub.bundles.archive import BundleArchive, Limits
from hub.db.models import Blob
from hub.db.models.sources import Source
from hub.errors import HubError, ValidationFailed
from hub.harvest.orm import forget as forget_harvested
from hub.security.principal import SYSTEM
from hub.services.records import EDITABLE_FIELDS
from hub.storage.names import sanitise_filename
from hub.storage.sniff import sniff_type

BATCH = 200
DEFAULT_LIMITS = Limits()


@dataclass
class BundleImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    files_stored: int = 0
    files_skipped: int = (
        0  # already in this hub's store (a re-run, or the same bytes from elsewhere)
    )
    source: str = ""
    errors: list[str] = field(default_factory=list)


class BundleImporter:
    """`hub.bundle_importer(trusted_keys=[...]).run(path)`; BundleRejected before any change.

    `uow` makes units of work; `storage` takes the files; `resources` validates and attaches;
    `sources` registers the bundle's hub; `data_dir` holds this hub's own signing key; `trust`
    (a `TrustedKeys`): the keys the operator trusted on /admin/bundles, trusted with
    `trusted_keys` (the CLI's --trust-key, for one run)."""

    def __init__(
        self,
        *,
        uow,
        storage,
        resources,
        sources,
        data_dir,
        trusted_keys=(),
        trust=None,
        allow_unsigned: bool = False,
        org: str | None = None,
        limits: Limits = DEFAULT_LIMITS,
        progress: Callable[[int], None] | None = None,
        batch_size: int = BATCH,
    ):
        self.uow, self.storage, self.resources, self.sources = uow, storage, resources, sources
        self.allow_unsigned, self.org = allow_unsigned, org
        self.limits, self.progress, self.batch_size = limits, progress, batch_size
        self.own_key = signing.own_public_key(data_dir)
        keys = [*trusted_keys, *(trust.keys() if trust is not None else ())]
        self.trusted = {signing.parse_key(k) for k in keys} | {self.own_key} - {None}
        self.report = BundleImportReport()
        self.mimetypes: dict[str, str] = {}  # sniffed when stored here

    def run(self, path: Path) -> BundleImportReport:
        with BundleArchive(path, self.limits) as bundle:
            manifest = bundle.manifest(self.trusted, self.allow_unsigned)
            if bundle.signed_by is not None and bundle.signed_by == self.own_key:
                return self._own(manifest)  # this hub's own records: nothing to copy
            records = self._valid(manifest["records"])
            needed = {f["sha256"] for r in records for f in r["files"]}
            wanted = [f for f in manifest["files"] if f["sha256"] in needed]
            staged = self._stage_all(bundle, wanted)
        self._commit_files(manifest, staged)
        # Sizes as verified against the bytes, not as a record claims them.
        self.sizes = {f["sha256"]: f["size"] for f in manifest["files"]}
        source_id = self._source(manifest["hub"])
        for start in range(0, len(records), self.batch_size):
            self._apply_batch(source_id, manifest["hub"], records[start : start + self.batch_size])
        return self.report

    def _own(self, manifest: dict) -> BundleImportReport:
        self.report.unchanged = len(manifest["records"])
        self.report.files_skipped = len(manifest["files"])
        self.report.source = "(this hub)"
        return self.report

    # -- files -----------------------------------------------------------------------------------
    def _valid(self, records: list[dict]) -> list[dict]:
        """The records this hub accepts; the rest are reported failed and their files not stored."""
        valid = []
        for record in records:
            fields = {k: v for k, v in record.items() if k in EDITABLE_FIELDS}
            try:
                self.resources.validate_harvested(fields)
            except ValidationFailed as exc:
                self.report.failed += 1
                self._failed(record, exc)
            else:
                valid.append(record)
        return valid

    def _failed(self, record: dict, exc: ValidationFailed) -> str:
        details = "; ".join(f"{e['field']}: {' '.join(e['messages'])}" for e in exc.errors)
        self.report.errors.append(f"{record['id']} {record.get('title', '')}: {details}")
        return "failed"

    def _stage_all(self, bundle: BundleArchive, files: list[dict]) -> dict:
        """Every missing file received and checked; on any failure all staged files go again."""
        store, staged = self.storage, {}
        try:
            for entry in files:
                if store.exists(entry["sha256"]):
                    self.report.files_skipped += 1
                    if self.progress:
                        self.progress(entry["size"])
                    continue
                staged[entry["sha256"]] = bundle.stage(store, entry, self.progress)
        except BaseException:
            for item in staged.values():
                store.discard(item)
            raise
        return staged

    def _commit_files(self, manifest: dict, staged: dict) -> None:
        names = {f["sha256"]: f["name"] for r in manifest["records"] for f in r["files"]}
        store, pending = self.storage, list(staged.items())
        try:
            while pending:
                sha256, item = pending[0]
                self.mimetypes[sha256] = self._mimetype(item, names.get(sha256, "file"))
                store.commit(item, self.mimetypes[sha256])
                pending.pop(0)
                self.report.files_stored += 1
        finally:  # a failed commit leaves no temp files behind; a re-run stores the rest
            for _, item in pending:
                store.discard(item)

    def _mimetype(self, item, name: str) -> str:
        try:  # the type is sniffed here, never taken from the peer
            return sniff_type(item.path, _safe_name(name))
        except HubError:
            return "application/octet-stream"

    # -- records ---------------------------------------------------------------------------------
    def _source(self, hub_info: dict) -> int:
        """The bundle's hub as a source here (kind `hub`, disabled: it never syncs on its own)."""
        url = hub_info["url"].rstrip("/")
        with self.uow() as uow:
            found = uow.session.scalar(
                select(Source).where(Source.kind == "hub", Source.url == url)
            )
            if found is not None:
                self.report.source = found.name
                return found.id
            taken = set(uow.session.scalars(select(Source.name)))
        name = _source_name(url, taken)
        created = self.sources.create(
            SYSTEM,
            {
                "name": name,
                "kind": "hub",
                "url": url,
                "org": self.org,
                "enabled": False,
                "fetch_files": False,
            },
            origin_only=True,  # a bundle's hub is often on a school LAN or localhost
        )
        self.report.source = name
        return created["id"]

    def _apply_batch(self, source_id: int, hub_info: dict, batch: list[dict]) -> None:
        resources = self.resources
        with self.uow() as uow:
            org_id = uow.session.scalar(select(Source.org_id).where(Source.id == source_id))
            resources.preload_harvested(uow, source_id, [r["id"] for r in batch])
            outcomes = [self._apply_one(uow, source_id, org_id, hub_info, r) for r in batch]
            for outcome in outcomes:
                setattr(self.report, outcome, getattr(self.report, outcome) + 1)
            written = outcomes.count("created") + outcomes.count("updated")
            if written:  # an import that changes nothing leaves no trace, not even an audit entry
                uow.audit("bundle.import", "source", source_id, records=written)
            uow.commit()

    def _apply_one(self, uow, source_id: int, org_id: int, hub_info: dict, record: dict) -> str:
        resources = self.resources
        incoming = dict(record)
        incoming["origin_url"] = (
            record.get("origin_url") or f"{hub_info['url'].rstrip('/')}/r/{record['id']}"
        )
        incoming["provenance"] = {"hub": hub_info["url"], "id": record["id"]}
        try:
            with uow.session.begin_nested():
                resource, outcome = resources.upsert_harvested(
                    uow,
                    source_id=source_id,
                    org_id=org_id,
                    external_id=record["id"],
                    record=incoming,
                )
                if self._attach_files(uow, resource, record["files"]) and outcome == "unchanged":
                    outcome = "updated"
                    resources.touch(resource)
                    uow.index_later(resource.id)
                    uow.change(resource.id, "upsert")
        except ValidationFailed as exc:
            forget_harvested(uow, source_id, record["id"])
            return self._failed(record, exc)
        return outcome

    def _attach_files(self, uow, resource, files: list[dict]) -> bool:
        """The record's files exactly as listed; True if that changed anything."""
        wanted = {_safe_name(f["name"]): f for f in files}
        before = {(f.name, f.sha256) for f in resource.files}
        for stale in [f for f in resource.files if f.name not in wanted]:
            resource.files.remove(stale)
        for name, f in wanted.items():
            if (name, f["sha256"]) not in before:
                self.resources.attach_blob(
                    uow,
                    resource,
                    name=name,
                    sha256=f["sha256"],
                    size=self.sizes[f["sha256"]],
                    mimetype=self._known_type(uow.session, f["sha256"], name),
                )
        return before != {(f.name, f.sha256) for f in resource.files}

    def _known_type(self, session, sha256: str, name: str) -> str:
        if sha256 not in self.mimetypes:
            blob = session.get(Blob, sha256)
            self.mimetypes[sha256] = blob.mimetype if blob is not None else _guess(name)
        return self.mimetypes[sha256]


def _safe_name(name: str) -> str:
    try:
        return sanitise_filename(name)
    except HubError:
        return "file"


def _guess(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _source_name(url: str, taken: set[str]) -> str:
    host = re.sub(r"[^A-Za-z0-9_.-]", "-", urlsplit(url).netloc or "hub")[:80]
    name, n = f"bundle-{host}", 2
    while name in taken:
        name, n = f"bundle-{host}-{n}", n + 1
    return name
