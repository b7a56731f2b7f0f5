"""Bundles uploaded by an operator: kept in the data directory, imported by a worker, reported."""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import BinaryIO

from hub.bundles import signing
from hub.bundles.trust import TrustedKeys, write_json
from hub.db.base import new_id, utcnow
from hub.errors import BundleRejected, Forbidden, NotFound
from hub.security.principal import Principal
from hub.tasks import Topic

log = logging.getLogger(__name__)
TOPIC = Topic.BUNDLE_IMPORT
RECENT = 20
COUNTS = ("created", "updated", "unchanged", "failed")
ADMINS_ONLY = "只有平台管理员可以导入离线包。Only hub administrators can import offline bundles."


class BundleImportService:
    """Uploads wait as `<id>.zip` beside `<id>.json` (their state and report) in bundle-imports/;
    `trust` (a `TrustedKeys`) holds the keys trusted here, which every importer also reads."""

    def __init__(self, *, uow, importer_for, data_dir, trust: TrustedKeys):
        self.uow, self.importer_for, self.trust = uow, importer_for, trust
        self.folder = Path(data_dir) / "bundle-imports"

    def queue(self, actor: Principal, stream: BinaryIO, name: str) -> dict:
        """Keep the upload and ask a worker to import it; the report comes with `get`."""
        _require_admin(actor)
        self.folder.mkdir(parents=True, exist_ok=True)
        job = {"id": new_id(), "name": name[:200], "status": "queued", "by": actor.label}
        job |= {"by_id": actor.user_id, "created": _now()}
        with open(self._zip(job["id"]), "wb") as out:
            shutil.copyfileobj(stream, out, 1 << 20)
        job["size"] = self._zip(job["id"]).stat().st_size
        self._save(job)
        with self.uow(actor) as uow:
            uow.outbox(TOPIC, id=job["id"])
            uow.audit("bundle.upload", "bundle", job["id"], file=job["name"], size=job["size"])
            uow.commit()
        return job

    def get(self, actor: Principal, import_id: str) -> dict:
        _require_admin(actor)
        path = self.folder / f"{import_id}.json"
        if not import_id.replace("-", "").isalnum() or not path.is_file():
            raise NotFound("没有这次导入。No such bundle import: upload the bundle again.")
        return json.loads(path.read_text(encoding="utf-8"))

    def recent(self, actor: Principal) -> list[dict]:
        _require_admin(actor)
        if not self.folder.is_dir():
            return []
        jobs = [json.loads(p.read_text(encoding="utf-8")) for p in self.folder.glob("*.json")]
        # `created` has whole seconds; the time-ordered id breaks ties within one second.
        return sorted(jobs, key=lambda j: (j["created"], j["id"]), reverse=True)[:RECENT]

    def run(self, import_id: str) -> None:
        """Import an upload (a worker's task): a rejection or failure is reported, not retried."""
        path = self.folder / f"{import_id}.json"
        if not path.is_file():
            return
        job = json.loads(path.read_text(encoding="utf-8"))
        if job["status"] not in ("queued", "running"):  # running: resumed after a crash
            return
        self._save(job | {"status": "running"})
        try:
            report = self.importer_for().run(self._zip(import_id))  # it reads the trusted keys
        except BundleRejected as exc:
            job |= {"status": "rejected", "message": exc.message}
        except Exception as exc:  # recorded for the operator; a retry would fail the same way
            log.exception("bundle import %s failed", import_id)
            job |= {"status": "failed", "message": f"{type(exc).__name__}: {exc}"[:2000]}
        else:
            job |= {"status": "failed" if report.failed else "succeeded", "report": asdict(report)}
        self._save(job | {"finished": _now()})
        self._zip(import_id).unlink(missing_ok=True)  # its files are in the store now, or refused
        self._audit_result(job)

    def _audit_result(self, job: dict) -> None:
        """The import's result, attributed to whoever uploaded the bundle."""
        uploader = Principal(user_id=job.get("by_id"), email=job.get("by"), is_admin=True)
        report = job.get("report") or {}
        counts = {k: report[k] for k in COUNTS if k in report}
        with self.uow(uploader) as uow:
            uow.audit(
                "bundle.upload.finish",
                "bundle",
                job["id"],
                file=job["name"],
                result=job["status"],
                message=job.get("message"),
                **counts,
            )
            uow.commit()

    def trusted_keys(self) -> list[dict]:
        return self.trust.entries()

    def add_key(self, actor: Principal, text: str, label: str) -> dict:
        """Trust a hub's public key (base64 or PEM, as GET /api/v1/bundles/key gives it)."""
        _require_admin(actor)
        if not text.strip() or len(text) > 2000:
            raise BundleRejected(
                "请粘贴公钥。Paste the other hub's public key (GET /api/v1/bundles/key)."
            )
        key = signing.parse_key(text.strip() if text.strip().startswith("-----") else _b64(text))
        entry = {"key": key, "label": label.strip()[:100], "added": _now(), "by": actor.label}
        with self.uow(actor) as uow:
            uow.audit("bundle.trust_key", "bundle_key", key, label=entry["label"])
            self.trust.add(entry)
            uow.commit()
        return entry

    def _zip(self, import_id: str) -> Path:
        return self.folder / f"{import_id}.zip"

    def _save(self, job: dict) -> None:
        write_json(self.folder / f"{job['id']}.json", job)


def _require_admin(actor: Principal) -> None:
    if not actor.is_admin:
        raise Forbidden(ADMINS_ONLY)


def _b64(text: str) -> str:
    # A pasted base64 key is never a file name: parse_key would otherwise look for one.
    text = "".join(text.split())
    if len(text) != 44:
        raise BundleRejected(
            "公钥应为 44 个字符的 base64 或 PEM。The key should be 44 base64 characters or a PEM "
            "block, as GET /api/v1/bundles/key on the other hub shows it."
        )
    return text


def _now() -> str:
    return utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")


def handle_import(imports: BundleImportService, payload: dict) -> None:
    imports.run(payload["id"])
