"""Beat: each enabled source with a cron schedule is one periodic sync; bad ones are refused."""

from __future__ import annotations

import pytest
from celery.schedules import crontab
from sqlalchemy import update

from hub.db.models import Source
from hub.errors import ValidationFailed
from hub.security.principal import SYSTEM
from workers.app import celery
from workers.beat import source_entries


def _add(hub, name, schedule=None):
    url = f"http://127.0.0.1:9/{name}/oai"
    data = {"name": name, "kind": "oaipmh", "url": url, "allow_private_host": True}
    if schedule:
        data["schedule"] = schedule
    return hub.sources.create(SYSTEM, data)


def test_each_scheduled_source_gets_one_sync_entry(hub):
    nightly = _add(hub, "nightly", "0 2 * * *")
    _add(hub, "manual")
    entries = source_entries(hub, celery)
    assert list(entries) == ["sync-source-nightly"]
    entry = entries["sync-source-nightly"]
    assert entry.task == "workers.tasks.sync_source" and entry.args == (nightly["id"],)
    assert (
        isinstance(entry.schedule, crontab)
        and entry.schedule.hour == {2}
        and entry.schedule.minute == {0}
    )


def test_a_bad_schedule_is_refused_when_the_source_is_added(hub):
    with pytest.raises(ValidationFailed):
        _add(hub, "broken", "every night")


def test_a_schedule_broken_in_the_database_is_skipped_not_fatal(hub):
    _add(hub, "good", "*/30 * * * *")
    _add(hub, "bad", "0 3 * * *")
    with hub.db.session() as session:
        session.execute(update(Source).where(Source.name == "bad").values(schedule="61 25 * * *"))
        session.commit()
    assert list(source_entries(hub, celery)) == ["sync-source-good"]
