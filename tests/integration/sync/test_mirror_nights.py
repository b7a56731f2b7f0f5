"""A mirror's other nights, on SQLite only (the database plays no part): a window that closes
mid-file, a parent that lies about a hash or ignores a range, a file changed upstream."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hub.db.models.mirrors import MirrorFile
from hub.security.principal import SYSTEM
from tests.support.mirrors import (
    at,
    county_parent,
    files_here,
    make_mirror,
    pdf,
    staged_sizes,
    stored_bytes,
    sync,
)


@pytest.fixture
def database_url(tmp_path):
    yield f"sqlite:///{tmp_path / 'hub.db'}"


@pytest.fixture
def parent():
    parent = county_parent()
    yield parent
    parent.kill()


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
