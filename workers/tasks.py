"""Celery tasks: small verb-named functions that take ids and call a service."""

from __future__ import annotations

import logging

from hub.errors import Conflict
from hub.security.principal import SYSTEM
from hub.services.integrity import check_objects
from workers.app import celery, worker_hub

log = logging.getLogger(__name__)


@celery.task(name="workers.tasks.process_outbox")
def process_outbox() -> int:
    return worker_hub().outbox.process()


@celery.task(name="workers.tasks.harvest_source")
def harvest_source(source_id: int, run_id: int) -> str:
    run = worker_hub().sync.run(run_id)
    return run["status"]


@celery.task(name="workers.tasks.sync_source")
def sync_source(source_id: int, full: bool = False) -> int | None:
    """Start a scheduled sync; a source still syncing from last time is simply skipped."""
    try:
        return worker_hub().sync.start(SYSTEM, source_id, full=full)["id"]
    except Conflict:
        log.info("source %s is still syncing; scheduled run skipped", source_id)
        return None


@celery.task(name="workers.tasks.fill_mirrors")
def fill_mirrors() -> list[dict]:
    """Fetch the school mirrors' queued files, for each mirror whose window is open now."""
    return worker_hub().mirrors.fill_due()


@celery.task(name="workers.tasks.verify_checksums")
def verify_checksums() -> dict:
    """Re-hash every stored object (the weekly `eduhub check`); bad objects are logged."""

    report = check_objects(worker_hub())
    for bad in report.bad:
        log.error("stored object failed its checksum: %s", bad)
    return {"checked": report.checked, "bad": len(report.bad)}


@celery.task(name="workers.tasks.purge_uploads")
def purge_uploads() -> int:
    """Remove resumable-upload sessions (and their partial files) that expired."""
    return worker_hub().uploads.purge_expired()


@celery.task(name="workers.tasks.reconcile_search")
def reconcile_search() -> dict:
    """Repair drift between the database and the search index (missed messages, restores)."""
    return worker_hub().search.reconcile()


@celery.task(name="workers.tasks.make_rendition")
def make_rendition(sha256: str, mimetype: str | None) -> bool:
    """Transcode a video or convert an office file for the page (minutes: not in the outbox)."""
    return worker_hub().renditions.make(sha256, mimetype)


@celery.task(name="workers.tasks.sweep_renditions")
def sweep_renditions() -> int:
    """Send again the renditions never made: a lost task, files from before renditions existed."""
    hub = worker_hub()
    return hub.renditions.sweep(hub.tasks)


@celery.task(name="workers.tasks.refresh_stats")
def refresh_stats() -> dict:
    """Fold new usage events into the aggregates and drop events past retention."""
    return worker_hub().stats.refresh()


@celery.task(name="workers.tasks.expire_bundles")
def expire_bundles() -> int:
    """Delete offline bundles older than EDUHUB_BUNDLE_DAYS."""
    return worker_hub().bundles.expire()
