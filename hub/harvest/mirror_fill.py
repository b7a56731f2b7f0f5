"""A mirror's night: its queued files fetched in the window, under the cap, one filler at a time.

A pass holds the mirror's lease (renewed as it goes, so a killed worker's lease runs out in
minutes), takes the queue in order, stops when the window closes or the parent stops answering,
and leaves each partial file in staging for the next pass. A verified file is stored and
attached in one transaction; only then does it become visible.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from sqlalchemy import select

from connectors.base import HttpError, PolicyRefused, TooLarge
from connectors.outbound import bearer
from hub.db.base import utcnow
from hub.db.models import Resource
from hub.db.models.mirrors import Mirror, MirrorFile
from hub.db.models.sources import Source
from hub.harvest.files import ensure_source_blob
from hub.harvest.liveness import worker_id
from hub.harvest.mirror_config import Window, parse_window
from hub.harvest.mirror_fetch import FileLied, RangedDownload, RateLimiter, discard, staged
from hub.harvest.sources import source_config
from hub.harvest.sync import http_for
from hub.security.principal import SYSTEM

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 3  # verifications a file may fail before it waits for the parent to change it
CHECKPOINT = 8 * 1024 * 1024  # bytes between two saves of the progress (and lease renewals)


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Pass:
    """One fill pass of one mirror: what it did and why it stopped."""

    source_id: int
    status: str = "done"  # done | closed | busy | stopped
    # The lease's holder: this pass alone (two threads of one worker are two passes).
    lease: str = field(default_factory=lambda: f"{worker_id()}/{uuid4().hex[:12]}")
    fetched: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict:
        return {
            "source_id": self.source_id,
            "status": self.status,
            "fetched": len(self.fetched),
            "failed": len(self.failed),
            "error": self.error,
        }


class MirrorFiller:
    """`uow`; `files.store_harvested_file` stores verified bytes; `staging`: partial files;
    `clock()`: the aware time the window is read against; `monotonic`/`sleep`: the rate cap's."""

    def __init__(self, *, uow, files, staging, clock, monotonic, sleep, credentials=None):
        self.uow, self.files, self.staging = uow, files, str(staging)
        self.clock, self.monotonic, self.sleep = clock, monotonic, sleep
        self.credentials = credentials  # opens the parent's sealed harvest token

    def fill(self, source_id: int, *, ignore_window: bool = False) -> Pass:
        done = Pass(source_id)
        claimed = self._claim(done)
        if claimed is None:
            done.status = "busy"
            return done
        window, config, rate = claimed
        try:
            if window is not None and not ignore_window and not window.is_open(self.clock()):
                done.status = "closed"
                return done
            self._run(done, window if not ignore_window else None, config, rate)
        finally:
            self._release(source_id, done)
        return done

    def _run(self, done: Pass, window: Window | None, config, rate: int) -> None:
        http = http_for(config)
        limiter = RateLimiter(rate, clock=self.monotonic, sleep=self.sleep)
        tried: set[int] = set()
        self._drop_withdrawn(done.source_id)
        while (row := self._next(done.source_id, tried)) is not None:
            tried.add(row["id"])
            if window is not None and not window.is_open(self.clock()):
                done.status = "closed"
                return
            outcome = self._one(row, http, limiter, window, config, done.lease)
            if outcome in ("closed", "stopped"):
                done.status = outcome
                done.error = done.error or row.get("error")
                return
            (done.fetched if outcome == "fetched" else done.failed).append(row["name"])
        self._sweep(done.source_id)

    def _one(self, row: dict, http, limiter, window, config, lease: str) -> str:
        path = self._path(row)
        progress = Progress(self, lease, row["id"], path)

        def keep_going() -> bool:
            progress.maybe_save()
            return window is None or window.is_open(self.clock())

        download = RangedDownload(http, limiter, keep_going)
        try:
            complete = download.fetch(
                row["url"], path, size=row["size"], sha256=row["sha256"], headers=_auth(config, row)
            )
        except (FileLied, TooLarge) as exc:
            discard(path)
            self._failed(row["id"], str(exc))
            return "failed"
        except (HttpError, PolicyRefused, OSError) as exc:  # the parent is away: try next pass
            row["error"] = f"{row['name']}: {exc}"
            progress.save()
            return "stopped"
        progress.save()
        if complete:
            self._attach(row, path)
            return "fetched"
        if window is not None and not window.is_open(self.clock()):
            return "closed"
        row["error"] = f"{row['name']}: the parent's answer ended before the file did"
        return "stopped"

    def _path(self, row: dict) -> str:
        folder = os.path.join(self.staging, str(row["source_id"]))
        os.makedirs(folder, exist_ok=True)
        return os.path.join(folder, f"{row['id']}-{row['sha256']}.part")

    # -- the database side ------------------------------------------------------------------------
    def _claim(self, done: Pass):
        """(window, source config, rate), the lease taken; None while another pass holds it."""
        now = utcnow()
        with self.uow(SYSTEM) as uow:
            mirror = uow.session.get(Mirror, done.source_id, with_for_update=True)
            source = uow.session.get(Source, done.source_id)
            if mirror is None or source is None or not source.enabled:
                return None
            if mirror.lease_owner and mirror.lease_until and mirror.lease_until > now:
                return None
            mirror.lease_owner, mirror.lease_until = done.lease, now + LEASE
            window = parse_window(mirror.window, mirror.timezone) if mirror.window else None
            claimed = window, source_config(source, self.credentials), mirror.rate
            uow.commit()
        return claimed

    def _release(self, source_id: int, done: Pass) -> None:
        with self.uow(SYSTEM) as uow:
            mirror = uow.session.get(Mirror, source_id)
            if mirror is not None and mirror.lease_owner == done.lease:
                mirror.lease_owner = mirror.lease_until = None
                mirror.last_fill, mirror.last_error = utcnow(), done.error
                uow.commit()

    def renew(self, lease: str, row_id: int, fetched: int) -> None:
        """Save a file's staged bytes and hold the lease for another LEASE."""
        with self.uow(SYSTEM) as uow:
            row = uow.session.get(MirrorFile, row_id)
            if row is not None:
                row.fetched = fetched
                mirror = uow.session.get(Mirror, row.source_id)
                if mirror.lease_owner == lease:
                    mirror.lease_until = utcnow() + LEASE
                uow.commit()

    def _next(self, source_id: int, tried: set[int]) -> dict | None:
        with self.uow(SYSTEM) as uow:
            query = (
                select(MirrorFile)
                .where(MirrorFile.source_id == source_id, MirrorFile.status == "pending")
                .order_by(MirrorFile.id)
            )
            if tried:
                query = query.where(MirrorFile.id.not_in(tried))
            row = uow.session.scalar(query.limit(1))
            if row is None:
                return None
            return {c: getattr(row, c) for c in ("id", "source_id", "resource_id", "url")} | {
                "name": row.name,
                "sha256": row.sha256,
                "size": row.size,
            }

    def _drop_withdrawn(self, source_id: int) -> None:
        """Queued files of records withdrawn since (left the selection, deleted upstream)."""
        with self.uow(SYSTEM) as uow:
            gone = select(Resource.id).where(
                Resource.source_id == source_id, Resource.status == "withdrawn"
            )
            rows = uow.session.scalars(
                select(MirrorFile).where(
                    MirrorFile.source_id == source_id, MirrorFile.resource_id.in_(gone)
                )
            ).all()
            for row in rows:
                uow.session.delete(row)
            uow.commit()

    def _failed(self, row_id: int, message: str) -> None:
        with self.uow(SYSTEM) as uow:
            row = uow.session.get(MirrorFile, row_id)
            row.attempts, row.error, row.fetched = row.attempts + 1, message, 0
            if row.attempts >= MAX_ATTEMPTS:
                row.status = "failed"  # until the parent announces the file anew
            uow.commit()

    def _attach(self, row: dict, path: str) -> None:
        """Store the verified bytes and attach them; the row leaves the queue in the same commit."""
        with self.uow(SYSTEM) as uow:
            queued = uow.session.get(MirrorFile, row["id"])
            resource = uow.session.get(Resource, row["resource_id"])
            if queued is not None and resource is not None and resource.status != "withdrawn":
                with open(path, "rb") as stream:
                    self.files.store_harvested_file(
                        uow,
                        resource,
                        name=row["name"],
                        stream=stream,
                        max_bytes=row["size"],
                        expected_sha256=row["sha256"],
                    )
                ensure_source_blob(uow.session, row["source_id"], row["sha256"])
            if queued is not None:
                uow.session.delete(queued)
            uow.commit()
        discard(path)

    def _sweep(self, source_id: int) -> None:
        """Partial files no queued row names any more (a file re-announced, a record withdrawn)."""
        folder = os.path.join(self.staging, str(source_id))
        if not os.path.isdir(folder):
            return
        with self.uow(SYSTEM) as uow:
            rows = uow.session.execute(
                select(MirrorFile.id, MirrorFile.sha256).where(MirrorFile.source_id == source_id)
            ).all()
        live = {f"{i}-{sha}.part" for i, sha in rows}
        for name in set(os.listdir(folder)) - live:
            discard(os.path.join(folder, name))


class Progress:
    """Saves a file's staged bytes (and renews the lease) every CHECKPOINT bytes or on demand."""

    def __init__(self, filler: MirrorFiller, lease: str, row_id: int, path: str):
        self.filler, self.lease, self.row_id, self.path = filler, lease, row_id, path
        self.saved = staged(path)

    def maybe_save(self) -> None:
        if staged(self.path) - self.saved >= CHECKPOINT:
            self.save()

    def save(self) -> None:
        self.saved = staged(self.path)
        self.filler.renew(self.lease, self.row_id, self.saved)


def _auth(config, row: dict) -> dict:
    """The parent's harvest token, for a file on the parent's own origin only (as the connector)."""
    return bearer(config.options.get("token"), row["url"], config.url)
