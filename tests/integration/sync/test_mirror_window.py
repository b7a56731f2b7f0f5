"""A school mirror of a throttled parent hub: records at once, files in the night window, resumed
with `Range` after the parent dies mid-file, visible only once whole and verified (both databases;
the other nights are in test_mirror_nights.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from config import default_beat_schedule
from hub.db.base import utcnow
from hub.db.models.mirrors import Mirror
from hub.security.principal import SYSTEM
from tests.support.mirrors import (
    at,
    county_parent,
    files_here,
    make_mirror,
    staged_sizes,
    stored_bytes,
    sync,
)
from workers.tasks import fill_mirrors


@pytest.fixture
def parent():
    parent = county_parent()
    yield parent
    parent.kill()


def test_records_arrive_at_once_and_files_wait_for_the_window(hub, parent):
    source_id = make_mirror(hub, parent)
    run = sync(hub, source_id)
    assert run["status"] == "succeeded", run
    assert files_here(hub) == {"r1": [], "r2": []}  # r3 is outside the selection
    assert parent.file_requests() == []
    status = hub.sources.get(SYSTEM, source_id)["mirror"]
    assert status["pending"] == {"files": 2, "bytes": 420 * 1024, "bytes_left": 420 * 1024}
    assert status["selection"] == {"stage": ["primary"]} and status["window"] == "22:00-06:00"

    hub.mirrors.set_clock(lambda: at(14, 0))  # school hours: nothing is fetched
    assert hub.mirrors.fill(source_id)["status"] == "closed"
    assert hub.mirrors.fill_due() == []
    assert parent.file_requests() == []

    hub.mirrors.set_clock(lambda: at(23, 30))
    done = hub.mirrors.fill(source_id)
    assert done == {
        "source_id": source_id,
        "status": "done",
        "fetched": 2,
        "failed": 0,
        "error": None,
    }
    here = files_here(hub)
    assert here["r1"] == [("a.pdf", parent.file("a.pdf").sha256)]
    assert stored_bytes(hub, parent.file("b.pdf").sha256) == parent.file("b.pdf").body
    status = hub.sources.get(SYSTEM, source_id)["mirror"]
    assert status["pending"]["files"] == 0 and status["mirrored"]["files"] == 2


def test_a_parent_killed_mid_file_is_resumed_from_the_partial_offset(hub, parent):
    source_id = make_mirror(hub, parent)
    sync(hub, source_id)
    hub.mirrors.set_clock(lambda: at(1, 0))
    parent.kill_after = 100 * 1024  # the parent dies 100 KiB into a.pdf
    done = hub.mirrors.fill(source_id)
    assert done["status"] == "stopped" and "a.pdf" in done["error"]
    assert files_here(hub)["r1"] == []  # partial bytes are never visible
    partial = staged_sizes(hub, source_id)
    assert partial and 0 < partial[0] <= 100 * 1024
    parent.kill()
    assert hub.mirrors.fill(source_id)["status"] == "stopped"  # the parent is down: try later
    assert staged_sizes(hub, source_id) == partial
    status = hub.sources.get(SYSTEM, source_id)["mirror"]
    assert status["pending"]["bytes_left"] == 420 * 1024 - partial[0]
    assert status["last_error"]

    parent.kill_after = None
    parent.restart()
    assert hub.mirrors.fill(source_id)["status"] == "done"
    resumed = [r for r in parent.file_requests() if r.path == "/files/a.pdf"][-1]
    assert resumed.headers["Range"] == f"bytes={partial[0]}-"
    a = parent.file("a.pdf")
    assert files_here(hub)["r1"] == [("a.pdf", a.sha256)]
    assert stored_bytes(hub, a.sha256) == a.body
    assert staged_sizes(hub, source_id) == []


def test_one_pass_at_a_time_and_a_dead_workers_lease_runs_out(hub, parent):
    source_id = make_mirror(hub, parent, window="")
    sync(hub, source_id)

    def lease(minutes: float) -> None:
        with hub.uow() as uow:
            mirror = uow.session.get(Mirror, source_id)
            mirror.lease_owner = "other-host:41/5e1f"
            mirror.lease_until = utcnow() + timedelta(minutes=minutes)
            uow.commit()

    lease(5)  # another worker's pass is under way
    assert hub.mirrors.fill(source_id)["status"] == "busy"
    assert parent.file_requests() == []
    lease(-1)  # that worker was killed: its lease ran out
    assert hub.mirrors.fill(source_id)["status"] == "done"
    assert hub.sources.get(SYSTEM, source_id)["mirror"]["filling"] is False


def test_the_beats_task_fills_the_mirrors_whose_window_is_open(hub, parent, monkeypatch):
    monkeypatch.setattr("workers.app._hub", hub)  # the task runs on this test's hub
    assert "workers.tasks.fill_mirrors" in {e["task"] for e in default_beat_schedule().values()}
    source_id = make_mirror(hub, parent)
    sync(hub, source_id)
    hub.mirrors.set_clock(lambda: at(9))
    assert fill_mirrors() == []  # closed: not even tried
    hub.mirrors.set_clock(lambda: at(22, 5))
    assert [(d["status"], d["fetched"]) for d in fill_mirrors()] == [("done", 2)]
    assert fill_mirrors() == []  # nothing pending
