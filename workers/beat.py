"""Beat scheduler: the configured schedule plus one cron entry per scheduled source."""

from __future__ import annotations

import logging
import time

from celery.beat import PersistentScheduler, ScheduleEntry

from hub.harvest.sources import parse_cron
from workers.app import worker_hub

log = logging.getLogger(__name__)

REFRESH_SECONDS = 60.0  # how soon a new or changed source schedule is noticed


def source_entries(hub, app) -> dict[str, ScheduleEntry]:
    """One `sync_source` entry per enabled source with a cron schedule."""
    entries = {}
    for source_id, name, cron in hub.sources.scheduled():
        try:
            schedule = parse_cron(cron)
        except Exception:  # a bad schedule must not stop the others
            log.warning("source %s has an invalid schedule %r; skipped", name, cron)
            continue
        key = f"sync-source-{name}"
        entries[key] = ScheduleEntry(
            name=key,
            task="workers.tasks.sync_source",
            schedule=schedule,
            args=(source_id,),
            app=app,
        )
    return entries


class SourceScheduler(PersistentScheduler):
    """PersistentScheduler whose entries are refreshed from the sources table every minute."""

    def __init__(self, *args, **kwargs):
        self._refreshed = 0.0
        self._source_keys: set[str] = set()
        super().__init__(*args, **kwargs)

    def setup_schedule(self):
        super().setup_schedule()
        self._refresh_sources()

    def tick(self, *args, **kwargs):
        if time.monotonic() - self._refreshed > REFRESH_SECONDS:
            self._refresh_sources()
        return min(super().tick(*args, **kwargs), REFRESH_SECONDS)

    def _refresh_sources(self) -> None:
        self._refreshed = time.monotonic()
        try:
            entries = source_entries(worker_hub(), self.app)
        except Exception:  # database not reachable yet: keep the schedule we have
            log.exception("could not read source schedules")
            return
        for key in self._source_keys - set(entries):
            self.schedule.pop(key, None)
        for key, entry in entries.items():
            current = self.schedule.get(key)
            if current is None or current.schedule != entry.schedule or current.args != entry.args:
                self.schedule[key] = entry
        self._source_keys = set(entries)
