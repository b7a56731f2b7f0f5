"""Writing a bundle: files streamed from storage into a ZIP, the signed manifest, the page."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from hub.bundles import format as fmt
from hub.bundles import page, signing
from hub.bundles.selection import selected_records
from hub.security.principal import SYSTEM, Principal
from metadata.crosswalks import VocabLookup
from metadata.crosswalks.lrmi import to_lrmi

CHUNK = 1 << 20


@dataclass
class ExportReport:
    records: int
    files: int
    bytes: int  # the files' bytes, before the ZIP's own overhead
    path: Path


def canonical_json(value) -> bytes:
    """One spelling of a value: sorted keys, no spaces, UTF-8 (Chinese as text)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


class BundleExporter:
    """Writes bundles: records from `db`/`resources`/`search`, files from `storage`, labels from
    `vocabularies`; `config` names the hub and holds its signing key (in the data directory)."""

    def __init__(self, *, db, resources, search, storage, vocabularies, config):
        self.db, self.resources, self.search = db, resources, search
        self.storage, self.vocabularies, self.config = storage, vocabularies, config

    def export(
        self,
        out: Path,
        *,
        query: dict | None = None,
        ids: list[str] | None = None,
        actor: Principal = SYSTEM,
        progress: Callable[[int], None] | None = None,
        on_total: Callable[[int], None] | None = None,
    ) -> ExportReport:
        """Write the bundle of what `actor` may read matching `query` (search API names) to `out`.

        The ZIP is written beside `out` and renamed into place: a failed export leaves no half
        file."""
        query = {k: v for k, v in (query or {}).items() if v}
        vocab = VocabLookup(self.vocabularies)
        selected = selected_records(self.db, self.resources, self.search, actor, query, ids)
        records = [_with_lrmi(r, vocab, self.config.public_url) for r in selected]
        return self._write(Path(out), query, ids, records, vocab, progress, on_total)

    def _write(self, out, query, ids, records, vocab, progress, on_total) -> ExportReport:
        files = _unique_files(records)
        if on_total:
            on_total(sum(f["size"] for f in files))
        manifest = {
            "format": fmt.FORMAT,
            "version": fmt.VERSION,
            "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "hub": {"name": self.config.hub_name, "url": self.config.public_url},
            "query": query | ({"ids": len(ids)} if ids is not None else {}),
            "records": records,
            "files": files,
        }
        partial = out.with_name(out.name + ".part")
        try:
            with zipfile.ZipFile(partial, "w", allowZip64=True) as archive:
                for entry in files:
                    _copy_file(self.storage, archive, entry, progress)
                _write_text(archive, fmt.MANIFEST, manifest_bytes := canonical_json(manifest))
                key = signing.hub_private_key(self.config.data_dir)
                _write_text(archive, fmt.SIGNATURE, signing.sign(key, manifest_bytes))
                for name, body in page.entries(manifest, vocab):
                    _write_text(archive, name, body)
            partial.replace(out)
        finally:
            partial.unlink(missing_ok=True)
        return ExportReport(len(records), len(files), sum(f["size"] for f in files), out)


def _with_lrmi(record: dict, vocab: VocabLookup, base_url: str) -> dict:
    record = {k: v for k, v in record.items() if k not in ("links", "downloads", "review_comment")}
    record["lrmi"] = to_lrmi(record, vocab=vocab, base_url=base_url)
    return record


def _unique_files(records: list[dict]) -> list[dict]:
    files: dict[str, dict] = {}
    for record in records:
        for f in record["files"]:
            files.setdefault(
                f["sha256"],
                {"sha256": f["sha256"], "size": f["size"], "path": fmt.file_path(f["sha256"])},
            )
    return list(files.values())


def _copy_file(store, archive: zipfile.ZipFile, entry: dict, progress) -> None:
    """One stored body into the ZIP, stored (media is compressed already), in 1 MiB chunks."""
    info = zipfile.ZipInfo(entry["path"], date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    info.file_size = entry["size"]
    # The size is known up front, so zipfile adds ZIP64 fields only to entries that need them.
    with store.open(entry["sha256"]) as source, archive.open(info, "w") as target:
        while chunk := source.read(CHUNK):
            target.write(chunk)
            if progress:
                progress(len(chunk))


def _write_text(archive: zipfile.ZipFile, name: str, body: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=datetime.now(UTC).timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, body)
