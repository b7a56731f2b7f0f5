"""Bulk import of canonical records from JSON Lines: validated line by line, inserted in batches
with Core.

One transaction per batch holds the resources, their files, one audit entry, one outbox message with
the batch's ids (topic `resource.index_batch`) and, for published records, one `changes` row each. A
bad line is reported with its number and field messages and skipped; the rest still load.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from marshmallow import ValidationError
from sqlalchemy import insert, select

from connectors.outbound import public_link
from hub.db.base import new_id, utcnow
from hub.db.models import Change, Organisation, Resource, ResourceFile
from hub.errors import HubError, ValidationFailed, flatten_messages
from hub.security.principal import SYSTEM, Principal
from hub.services import records
from hub.services.changes import lock_feed
from hub.services.defaults import new_resource_defaults
from hub.services.harvested import ensure_blob
from hub.services.validation import MAX_CACHED, VOCAB_FIELDS, GroupedValidator
from hub.storage.names import sanitise_filename
from hub.storage.sniff import sniff_type
from hub.tasks.topics import Topic
from metadata.schema import ResourceRecordSchema

BATCH_SIZE = 1000
MAX_KEPT_ERRORS = 1000
INDEX_BATCH_TOPIC = Topic.RESOURCE_INDEX_BATCH


@dataclass
class LineError:
    line: int
    errors: list[dict]

    def __str__(self) -> str:
        details = "; ".join(f"{e['field']}: {' '.join(e['messages'])}" for e in self.errors)
        return f"第 {self.line} 行 line {self.line}: {details}"


@dataclass
class ImportReport:
    lines: int = 0
    imported: int = 0
    failed: int = 0
    files: int = 0
    errors: list[LineError] = field(default_factory=list)  # the first MAX_KEPT_ERRORS


@dataclass
class _Row:
    line: int
    values: dict
    files: list[dict]


class BulkImporter:
    """`BulkImporter(hub, org="nx-yc", publish=True).run(path)`; `on_error` sees each bad line as it
    is found."""

    def __init__(
        self,
        hub,
        *,
        org: str | None = None,
        publish: bool = False,
        actor: Principal = SYSTEM,
        batch_size: int = BATCH_SIZE,
        on_error: Callable[[LineError], None] | None = None,
    ):

        self.hub, self.default_org, self.publish, self.actor = hub, org, publish, actor
        self.batch_size, self.on_error = batch_size, on_error
        self.vocab_schema = ResourceRecordSchema(only=VOCAB_FIELDS)
        self.text_schema = ResourceRecordSchema(exclude=VOCAB_FIELDS)
        self._vocab_cache: dict[str, tuple[dict | None, dict | None]] = {}
        self.grouped = GroupedValidator()
        self._orgs: dict[str, tuple[int, str | None] | None] = {}
        self.report = ImportReport()

    def run(self, path: Path, *, progress: Callable[[int], None] | None = None) -> ImportReport:
        """Import every line of `path`; `progress(bytes_read)` is called per line."""
        path = Path(path)
        self.base_dir = path.parent
        if self.default_org:
            self._org(self.default_org)  # an unknown --org fails every line; say so once, up front
        batch: list[_Row] = []
        with open(path, "rb") as fh:
            for number, raw in enumerate(fh, start=1):
                if progress:
                    progress(len(raw))
                if not raw.strip():
                    continue
                self.report.lines += 1
                row = self._parse(number, raw)
                if row is not None:
                    batch.append(row)
                if len(batch) >= self.batch_size:
                    self._flush(batch)
                    batch = []
        self._flush(batch)
        return self.report

    # -- one line ----------------------------------------------------------------------------------
    def _parse(self, number: int, raw: bytes) -> _Row | None:
        try:
            record = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            return self._fail(
                number,
                [
                    {
                        "field": "_line",
                        "messages": [
                            f"不是有效的 JSON（{exc}），每行应为一个 JSON 对象。"
                            f"Not valid JSON ({exc}): one JSON object a line."
                        ],
                    }
                ],
            )
        if not isinstance(record, dict):
            return self._fail(
                number,
                [
                    {
                        "field": "_line",
                        "messages": ["每行应为一个 JSON 对象。Each line must be a JSON object."],
                    }
                ],
            )
        files = record.pop("files", None) or []
        try:
            data = self._validate(record)
        except ValidationError as exc:
            return self._fail(number, flatten_messages(exc.messages))
        errors: list[dict] = []
        org = self._org(data.get("org") or self.default_org, errors)
        stored = self._store_files(files, errors)
        if errors:
            return self._fail(number, errors)
        return _Row(number, self._values(data, org), stored)

    def _validate(self, record: dict) -> dict:
        """ResourceRecordSchema's load: the fast path when it passes; a record it refuses goes
        through the full path, so that a bad line is reported exactly as it always was."""
        data = self.grouped.load(record)
        return data if data is not None else self._validate_full(record)

    def _validate_full(self, record: dict) -> dict:
        """ResourceRecordSchema's load, in two parts: the vocabulary part (with the cross-field
        rules, which only involve it) is cached by value, the free text is validated every time."""
        # A missing field and an explicit null are different inputs (null is refused where a default
        # would apply).
        key = json.dumps(
            [[f in record, record.get(f)] for f in VOCAB_FIELDS], ensure_ascii=False, default=str
        )
        vocab = self._vocab_cache.get(key)
        if vocab is None:
            try:
                vocab = (
                    self.vocab_schema.load({f: record[f] for f in VOCAB_FIELDS if f in record}),
                    None,
                )
            except ValidationError as exc:
                vocab = (None, exc.messages)
            if len(self._vocab_cache) >= MAX_CACHED:
                self._vocab_cache.clear()
            self._vocab_cache[key] = vocab
        errors = dict(vocab[1] or {})
        try:
            data = self.text_schema.load({k: v for k, v in record.items() if k not in VOCAB_FIELDS})
        except ValidationError as exc:
            errors.update(
                exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
            )
            data = None
        if errors:
            raise ValidationError(errors)
        return {**data, **vocab[0]}

    def _values(self, data: dict, org: tuple[int, str | None]) -> dict:
        resource_id, now = new_id(), utcnow()
        defaults = new_resource_defaults()
        values = {name: data.get(name, defaults.get(name)) for name in records.EDITABLE_FIELDS}
        for name in records.LIST_FIELDS:
            values[name] = list(values[name] or [])
        values.update({k: v for k, v in defaults.items() if k not in values})
        created = _utc(data.get("created")) or now
        values.update(
            id=resource_id,
            lineage_id=resource_id,
            revision=1,
            status="published" if self.publish else "draft",
            org_id=org[0],
            owner_id=self.actor.user_id,
            region=values["region"] or org[1],
            external_id=data.get("external_id"),
            origin_url=public_link(data.get("origin_url")),  # http(s) only: it becomes a link
            created=created,
            updated=_utc(data.get("updated")) or created,
            published=(_utc(data.get("published")) or now) if self.publish else None,
        )
        return values

    def _org(self, code: str | None, errors: list | None = None) -> tuple[int, str | None] | None:
        if code not in self._orgs and code:
            with self.hub.db.session() as session:
                row = session.execute(
                    select(Organisation.id, Organisation.region).where(Organisation.code == code)
                ).first()
            self._orgs[code] = tuple(row) if row else None
        found = self._orgs.get(code) if code else None
        if found is None:
            message = (
                f"未知机构代码 {code}，请用 `eduhub orgs list` 查看。"
                f"Unknown organisation code {code}: see `eduhub orgs list`."
                if code
                else (
                    "请在记录中给出 org，或用 --org 指定默认机构。"
                    "Give an org in the record or a default with --org."
                )
            )
            if errors is None:
                raise ValidationFailed.from_messages({"org": [message]})
            errors.append({"field": "org", "messages": [message]})
        return found

    def _store_files(self, files, errors: list) -> list[dict]:
        """Store each `{name, path}` (path relative to the JSONL file) now; rows are linked with the
        batch."""
        if not isinstance(files, list):
            errors.append(
                {"field": "files", "messages": ["应为列表。Must be a list of {name, path}."]}
            )
            return []
        stored = []
        for i, entry in enumerate(files):
            if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
                errors.append(
                    {
                        "field": f"files.{i}",
                        "messages": ['应为 {name, path}。Must be {"name": ..., "path": ...}.'],
                    }
                )
                continue
            try:
                stored.append(self._store_file(entry))
            except OSError as exc:
                errors.append(
                    {
                        "field": f"files.{i}",
                        "messages": [
                            f"无法读取文件 {entry['path']}：{exc.strerror}。"
                            f"Cannot read {entry['path']}: {exc.strerror}."
                        ],
                    }
                )
            except HubError as exc:  # a refused name or type: the domain error says why
                errors.append({"field": f"files.{i}", "messages": [exc.message]})
        return stored

    def _store_file(self, entry: dict) -> dict:

        path = (self.base_dir / entry["path"]).resolve()
        name = sanitise_filename(entry.get("name") or path.name)
        store = self.hub.storage
        with open(path, "rb") as fh:
            staged = store.stage(fh, max_bytes=self.hub.config.max_upload_bytes)
        try:
            mimetype = sniff_type(staged.path, name)
            store.commit(staged, mimetype)
        except BaseException:
            store.discard(staged)
            raise
        return {"name": name, "sha256": staged.sha256, "size": staged.size, "mimetype": mimetype}

    def _fail(self, number: int, errors: list[dict]) -> None:
        error = LineError(number, errors)
        self.report.failed += 1
        if len(self.report.errors) < MAX_KEPT_ERRORS:
            self.report.errors.append(error)
        if self.on_error:
            self.on_error(error)
        return None

    # -- one batch ---------------------------------------------------------------------------------
    def _flush(self, batch: list[_Row]) -> None:
        if not batch:
            return
        ids = [row.values["id"] for row in batch]
        try:
            with self.hub.uow(self.actor) as uow:
                session = uow.session
                session.execute(insert(Resource.__table__), [row.values for row in batch])
                self._insert_files(session, batch)
                if self.publish:
                    now = utcnow()
                    lock_feed(
                        session.connection()
                    )  # Core skips the ORM hook that keeps the feed in order
                    session.execute(
                        insert(Change.__table__),
                        [{"resource_id": i, "op": "upsert", "at": now} for i in ids],
                    )
                uow.audit(
                    "resource.import",
                    "resource",
                    None,
                    count=len(ids),
                    first=ids[0],
                    last=ids[-1],
                    status="published" if self.publish else "draft",
                )
                uow.outbox(INDEX_BATCH_TOPIC, ids=ids)
                uow.commit()
        except Exception as exc:  # the batch is rolled back as one; every line in it is reported
            message = (
                f"数据库拒绝了这一批记录：{exc.__class__.__name__}: {str(exc)[:300]}。"
                "The database refused this batch."
            )
            for row in batch:
                self._fail(row.line, [{"field": "_batch", "messages": [message]}])
            return
        self.report.imported += len(batch)
        self.report.files += sum(len(row.files) for row in batch)

    @staticmethod
    def _insert_files(session, batch: list[_Row]) -> None:
        rows, blobs, now = [], {}, utcnow()
        for row in batch:
            seen = set()
            for position, f in enumerate(row.files):
                if (
                    f["name"] in seen
                ):  # the same name twice: the later file wins, as an upload would
                    rows = [
                        r
                        for r in rows
                        if not (r["resource_id"] == row.values["id"] and r["name"] == f["name"])
                    ]
                seen.add(f["name"])
                blobs[f["sha256"]] = f
                rows.append(
                    {"resource_id": row.values["id"], "position": position, "created": now, **f}
                )
        for blob in blobs.values():
            ensure_blob(
                session, sha256=blob["sha256"], size=blob["size"], mimetype=blob["mimetype"]
            )
        if rows:
            session.execute(insert(ResourceFile.__table__), rows)


def _utc(value) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def import_jsonl(hub, path: Path, **options) -> ImportReport:
    """Convenience wrapper: `import_jsonl(hub, "records.jsonl", org="nx", publish=True)`."""
    progress = options.pop("progress", None)
    return BulkImporter(hub, **options).run(path, progress=progress)
