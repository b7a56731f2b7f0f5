"""A real worker process runs syncs queued through the outbox, on the embedded broker and Redis."""

from __future__ import annotations

import os
import signal

import pytest
from sqlalchemy import func, select

from hub.db.models import Resource
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
