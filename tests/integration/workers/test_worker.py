"""A real worker process runs syncs queued through the outbox, on the embedded broker and Redis."""

from __future__ import annotations

import os
import signal

import pytest
from sqlalchemy import func, select

from hub.db.models import Resource
from hub.db.models.sources import Source
from hub.harvest.runner import BATCH
from hub.security.principal import SYSTEM
from tests.integration.workers.conftest import finished_run, wait_for

RECORDS = int(os.environ.get("EDUHUB_TEST_KILL_RECORDS", "10000"))


def harvested(hub, source_id):
    with hub.uow() as uow:
        total = uow.session.scalar(
            select(func.count()).select_from(Resource).where(Resource.source_id == source_id)
        )
        distinct = uow.session.scalar(
            select(func.count(func.distinct(Resource.external_id))).where(
                Resource.source_id == source_id
            )
        )
    return total, distinct


def test_a_worker_process_runs_a_queued_sync(hub, make_source, start_worker):
    source_id = make_source(30)
    start_worker()
    run = hub.sync.start(SYSTEM, source_id)  # the commit wakes the worker through the broker
    done = finished_run(hub, run["id"])
    assert done["status"] == "succeeded"
    assert done["counts"]["created"] == 30
    # The worker carries out the outbox the sync wrote: every harvested record becomes searchable.
    wait_for(lambda: hub.outbox.pending() == 0, what="the worker to carry out the outbox")
    assert hub.index.count() == 30


@pytest.mark.parametrize("broker_url", ["embedded"], indirect=True)
def test_sigkill_mid_sync_then_rerun_gives_exactly_the_source_records(
    hub, make_source, start_worker
):
    source_id = make_source(RECORDS)
    worker = start_worker()
    run = hub.sync.start(SYSTEM, source_id)
    wait_for(
        lambda: hub.sync.get_run(SYSTEM, run["id"])["processed"] >= 400,
        interval=0.1,
        what="the sync to be under way",
    )
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    killed = hub.sync.get_run(SYSTEM, run["id"])
    assert killed["status"] == "running" and killed["processed"] < RECORDS

    start_worker()
    rerun = hub.sync.start(SYSTEM, source_id)  # the dead worker's run is released, not a 409
    done = finished_run(hub, rerun["id"], timeout=600)
    assert done["status"] == "succeeded"
    assert hub.sync.get_run(SYSTEM, run["id"])["status"] == "failed"
    assert harvested(hub, source_id) == (RECORDS, RECORDS)


@pytest.mark.parametrize("broker_url", ["embedded"], indirect=True)
def test_sigkill_while_the_next_page_is_prefetched_loses_and_doubles_nothing(
    hub, make_source, start_worker, tmp_path
):
    """The worker dies as its prefetch thread fetches page 5 (which never comes) while page 4 is
    being written: what is in the database is exactly what the committed cursor says, and the
    rerun resumes there."""
    records, stalled = 5 * BATCH, tmp_path / "stalled"
    source_id = make_source(records)
    with hub.uow() as uow:
        source = uow.session.get(Source, source_id)
        source.options = {"generate": records, "stall_at": 4 * BATCH + 10, "stalled": str(stalled)}
        uow.commit()
    worker = start_worker()
    run = hub.sync.start(SYSTEM, source_id)
    wait_for(stalled.exists, interval=0.02, what="the prefetch to reach page 5")
    worker.send_signal(signal.SIGKILL)
    worker.wait()

    with hub.uow() as uow:
        source = uow.session.get(Source, source_id)
        committed = int(source.cursor)
        source.options = {"generate": records}
        uow.commit()
    assert committed in (3 * BATCH, 4 * BATCH)  # page 4 written, or lost whole with the worker
    assert harvested(hub, source_id) == (committed, committed)
    assert hub.sync.get_run(SYSTEM, run["id"])["processed"] == committed

    start_worker()
    rerun = hub.sync.start(SYSTEM, source_id)
    done = finished_run(hub, rerun["id"], timeout=600)
    assert done["status"] == "succeeded" and done["counts"]["created"] == records - committed
    assert harvested(hub, source_id) == (records, records)
