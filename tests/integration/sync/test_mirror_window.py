"""A school mirror of a throttled parent hub: records at once, files in the night window, resumed
with `Range` after the parent dies mid-file, visible only once whole and verified."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from sqlalchemy import select

from config import default_beat_schedule
from hub.db.base import utcnow
from hub.db.models import Resource
from hub.db.models.mirrors import Mirror, MirrorFile
from hub.security.principal import SYSTEM
from tests.support.mirrors import Parent, ParentFile, at, pdf
from workers.tasks import fill_mirrors


@pytest.fixture
def parent():
    parent = Parent()
    parent.add("r1", "primary", ParentFile("a.pdf", pdf(300 * 1024)))
    parent.add("r2", "primary", ParentFile("b.pdf", pdf(120 * 1024)))
    parent.add("r3", "junior", ParentFile("c.pdf", pdf(50 * 1024)))  # outside the selection
    parent.start()
    yield parent
    parent.kill()


def make_mirror(hub, parent, **mirror) -> int:
    source = hub.sources.create(
        SYSTEM,
        {
            "name": "county",
            "kind": "hub",
            "url": parent.url,
            "allow_private_host": True,
            "options": {"retries": 0, "timeout": 5},
        },
    )
    settings = {"filter": ["stage=primary"], "window": "22:00-06:00", "rate": "50MB/s"}
    hub.mirrors.configure(SYSTEM, source["id"], settings | mirror)
    return source["id"]


def sync(hub, source_id):
    run = hub.sync.start(SYSTEM, source_id)
    return hub.sync.run(run["id"])


def files_here(hub) -> dict[str, list[tuple[str, str]]]:
    with hub.uow() as uow:
        found = uow.session.scalars(select(Resource).where(Resource.source_id.is_not(None)))
        return {
            r.external_id: sorted((f.name, f.sha256) for f in r.files)
            for r in found
            if r.status == "published"
        }


def stored_bytes(hub, sha256: str) -> bytes:
    with hub.storage.open(sha256) as stream:
        return stream.read()


def staged_sizes(hub, source_id) -> list[int]:
    folder = os.path.join(str(hub.config.data_dir), "mirror", str(source_id))
    return [os.path.getsize(os.path.join(folder, n)) for n in os.listdir(folder)]


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


def test_the_window_closing_mid_file_stops_the_fetch_and_the_next_night_resumes(hub, parent):
    source_id = make_mirror(hub, parent)
    sync(hub, source_id)
    # 05:59 until 64 KiB of a.pdf have left the parent, then 06:00: the window closes mid-file.
    hub.mirrors.set_clock(
        lambda: at(6, 0) if parent.sent.get("a.pdf", 0) > 64 * 1024 else at(5, 59)
    )
    assert hub.mirrors.fill(source_id)["status"] == "closed"
    assert parent.sent.get("b.pdf") is None and files_here(hub)["r1"] == []
    partial = staged_sizes(hub, source_id)[0]
    assert partial < 300 * 1024

    hub.mirrors.set_clock(lambda: at(22, 0))
    assert hub.mirrors.fill(source_id)["fetched"] == 2
    assert [r for r in parent.file_requests() if r.path == "/files/a.pdf"][-1].headers[
        "Range"
    ] == f"bytes={partial}-"
    assert stored_bytes(hub, parent.file("a.pdf").sha256) == parent.file("a.pdf").body


def test_a_parent_that_lies_about_a_hash_never_gets_its_bytes_in(hub, parent):
    parent.file("b.pdf").announced_sha = "ab" * 32
    source_id = make_mirror(hub, parent, window="")
    sync(hub, source_id)
    for _night in range(3):
        hub.mirrors.fill(source_id)
    assert files_here(hub)["r2"] == []
    with hub.uow() as uow:
        row = uow.session.scalar(select(MirrorFile).where(MirrorFile.name == "b.pdf"))
        assert (row.status, row.attempts) == ("failed", 3)
        assert "SHA-256" in row.error
    assert hub.sources.get(SYSTEM, source_id)["mirror"]["failed"] == 1
    requests = len(parent.file_requests())
    hub.mirrors.fill(source_id)  # a failed file waits for the parent to announce it anew
    assert len(parent.file_requests()) == requests


def test_a_parent_that_ignores_the_range_is_fetched_again_from_the_start(hub, parent):
    source_id = make_mirror(hub, parent, window="")
    sync(hub, source_id)
    parent.kill_after = 40 * 1024
    hub.mirrors.fill(source_id)
    parent.kill_after, parent.ignore_range = None, True
    assert hub.mirrors.fill(source_id)["status"] == "done"
    a = parent.file("a.pdf")
    assert stored_bytes(hub, a.sha256) == a.body
    assert [r for r in parent.file_requests() if r.path == "/files/a.pdf"][-1].headers["Range"]


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


def test_a_file_changed_upstream_replaces_the_old_one_only_once_verified(hub, parent):
    source_id = make_mirror(hub, parent, window="")
    sync(hub, source_id)
    hub.mirrors.fill(source_id)
    old = parent.file("a.pdf").sha256
    parent.file("a.pdf").body = pdf(90 * 1024)  # a new version of the file on the parent
    parent.kill_after = parent.sent["a.pdf"] + 30 * 1024
    run = hub.sync.run(hub.sync.start(SYSTEM, source_id, full=True)["id"])
    assert run["status"] == "succeeded"
    assert hub.sources.get(SYSTEM, source_id)["mirror"]["pending"]["files"] == 1
    assert hub.mirrors.fill(source_id)["status"] == "stopped"  # died 30 KiB into the new bytes
    assert files_here(hub)["r1"] == [("a.pdf", old)]  # the old file stays until the new is whole
    parent.kill_after = None
    assert hub.mirrors.fill(source_id)["fetched"] == 1
    new = parent.file("a.pdf")
    assert files_here(hub)["r1"] == [("a.pdf", new.sha256)]
    assert stored_bytes(hub, new.sha256) == new.body


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
