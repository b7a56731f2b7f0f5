"""Bundles built on request: queued through the outbox, built by a worker, kept until expiry."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from hub.bundles.selection import FILTERS, estimate
from hub.db.base import new_id, utcnow
from hub.db.models import BundleJob
from hub.errors import Conflict, NotFound, Unauthenticated, ValidationFailed
from hub.security.principal import ANONYMOUS, Principal
from hub.services.files import Download
from hub.tasks import Topic

log = logging.getLogger(__name__)
TOPIC = Topic.BUNDLE_BUILD
NOT_FOUND = "没有这个离线包（或已过期）。No such bundle (or it has expired): request a new one."


def job_to_dict(job: BundleJob) -> dict:
    return {
        "id": job.id,
        "status": job.status,
        "query": job.query,
        "counts": {"records": job.records, "files": job.files},
        "size": job.size,
        "error": job.error,
        "created": _iso(job.created),
        "finished": _iso(job.finished),
        "expires": _iso(job.expires),
        "links": {"self": f"/api/v1/bundles/{job.id}", "file": f"/api/v1/bundles/{job.id}/file"},
    }


class BundleJobService:
    """Bundle jobs: `uow` records them, `db` reads them, `exporter` writes the ZIPs into `folder`
    as the owner (`principal_for_user_id`) may read, kept for `bundle_days`."""

    def __init__(self, *, uow, db, exporter, principal_for_user_id, folder: Path, bundle_days):
        self.uow, self.db, self.exporter = uow, db, exporter
        self.principal_for_user_id = principal_for_user_id
        self.folder = Path(folder)
        self.bundle_days = bundle_days

    def request(self, actor: Principal, query: dict) -> dict:
        """Queue a bundle of the search `query` (API names) as `actor` may read it."""
        if not actor.is_authenticated:
            raise Unauthenticated(
                "请先登录再制作离线包。Log in (or send an API token) to build an offline bundle."
            )
        query = _clean(query)
        with self.uow(actor) as uow:
            job = BundleJob(id=new_id(), owner_id=actor.user_id, query=query, status="queued")
            uow.session.add(job)
            uow.session.flush()
            uow.outbox(TOPIC, id=job.id)
            result = job_to_dict(job)
            uow.commit()
        return result

    def estimate(self, actor: Principal, query: dict) -> dict:
        """The size a bundle of `query` would have for `actor`, before anyone builds it."""
        return estimate(self.db, self.exporter.search, actor, _clean(query))

    def list_mine(self, actor: Principal, limit: int = 20) -> list[dict]:
        """The actor's recent bundles, newest first (expired ones too: the page says so)."""
        if not actor.is_authenticated:
            return []
        with self.db.session() as session:
            jobs = session.scalars(
                select(BundleJob)
                .where(BundleJob.owner_id == actor.user_id)
                .order_by(BundleJob.created.desc())
                .limit(limit)
            )
            return [job_to_dict(job) for job in jobs]

    def status(self, actor: Principal, job_id: str) -> dict:
        with self.db.session() as session:
            return job_to_dict(self._load(session, actor, job_id))

    def download(self, actor: Principal, job_id: str) -> Download:
        with self.db.session() as session:
            job = self._load(session, actor, job_id)
            if job.status != "succeeded":
                raise Conflict(
                    f"离线包尚未完成（{job.status}）。The bundle is {job.status}, not ready: "
                    f"poll GET /api/v1/bundles/{job.id} until its status is succeeded."
                )
            name = f"eduhub-bundle-{job.created:%Y%m%d}-{job.id[:8]}.zip"
            return Download(
                kind="local",
                name=name,
                size=job.size,
                sha256=f"{job.id}-{job.size}",  # the ETag: a job's ZIP never changes
                mimetype="application/zip",
                public=False,
                path=self.path(job.id),
            )

    def path(self, job_id: str) -> Path:
        return self.folder / f"{job_id}.zip"

    def build(self, job_id: str) -> None:
        """Build the ZIP as the job's owner may read; a failure is recorded, not retried."""
        with self.uow() as uow:
            job = uow.session.get(BundleJob, job_id)
            if job is None or job.status != "queued":
                return
            job.status = "running"
            owner, query = job.owner_id, dict(job.query or {})
            uow.commit()
        try:
            actor = self._owner(owner)
            self.folder.mkdir(parents=True, exist_ok=True)
            report = self.exporter.export(self.path(job_id), query=query, actor=actor)
        except Exception as exc:  # recorded for the caller to read; a retry would fail the same way
            log.exception("bundle %s failed", job_id)
            self._finish(job_id, status="failed", error=f"{type(exc).__name__}: {exc}"[:2000])
            return
        size = self.path(job_id).stat().st_size
        self._finish(
            job_id, status="succeeded", records=report.records, files=report.files, size=size
        )

    def expire(self) -> int:
        """Delete the ZIPs whose time is up (the periodic task); returns how many."""
        with self.uow() as uow:
            due = uow.session.scalars(
                select(BundleJob).where(
                    BundleJob.expires <= utcnow(), BundleJob.status != "expired"
                )
            ).all()
            for job in due:
                self.path(job.id).unlink(missing_ok=True)
                job.status = "expired"
            uow.commit()
        return len(due)

    def _finish(self, job_id: str, **values) -> None:
        with self.uow() as uow:
            job = uow.session.get(BundleJob, job_id)
            for name, value in values.items():
                setattr(job, name, value)
            job.finished = utcnow()
            job.expires = job.finished + timedelta(days=self.bundle_days)
            uow.commit()

    def _owner(self, user_id: int | None) -> Principal:
        principal = self.principal_for_user_id(user_id) if user_id else None
        return principal or ANONYMOUS  # a disabled owner gets what anyone may read

    @staticmethod
    def _load(session, actor: Principal, job_id: str) -> BundleJob:
        job = session.get(BundleJob, job_id)
        # Another user's job is reported as missing: its query may say what they were looking for.
        if job is None or job.status == "expired":
            raise NotFound(NOT_FOUND)
        if not actor.is_admin and (not actor.is_authenticated or job.owner_id != actor.user_id):
            raise NotFound(NOT_FOUND)
        return job


def _clean(query: dict) -> dict:
    out: dict = {}
    for name, value in (query or {}).items():
        if _has_nul(name, value):  # no database stores it, and no code holds one
            raise ValidationFailed.from_messages({name: ["含有空字符。Contains a NUL character."]})
        if name == "q":
            if not isinstance(value, str):
                raise ValidationFailed.from_messages({"q": ["应为文字。Must be text."]})
            if value.strip():
                out["q"] = value.strip()
        elif name in FILTERS:
            values = [value] if isinstance(value, str) else value
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise ValidationFailed.from_messages(
                    {name: ["应为代码或代码列表。A code or a list."]}
                )
            if values:
                out[name] = values
        else:
            raise ValidationFailed.from_messages({name: ["未知的筛选条件。Unknown filter."]})
    return out


def _has_nul(name: str, value) -> bool:
    values = value if isinstance(value, list) else [value]
    return any(isinstance(t, str) and "\x00" in t for t in [name, *values])


def _iso(value) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


def handle_build(bundles: BundleJobService, payload: dict) -> None:
    bundles.build(payload["id"])
