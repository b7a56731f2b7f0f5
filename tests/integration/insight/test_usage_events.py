"""Usage events from real requests: a download once per visitor, file and day; never HEAD, 304."""

from __future__ import annotations

import errno
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from hub.db.models import Resource
from hub.db.models.usage import UsageDaily, UsageEvent
from tests.factories import auth_header
from tests.resource_factories import PDF_BYTES, make_world, publish, valid_record

ADDRESS = "203.0.113.7"
BROWSER = "Mozilla/5.0 (Windows NT 10.0) Chrome/120.0"


@pytest.fixture
def world(hub):
    return make_world(hub)


def _get(client, url, token=None, agent=BROWSER, method="GET", **headers):
    if token:
        headers.update(auth_header(token))
    return client.open(
        url,
        method=method,
        headers={"User-Agent": agent, **headers},
        environ_base={"REMOTE_ADDR": ADDRESS},
    )


def _events(hub):
    with hub.db.session() as session:
        return session.scalars(select(UsageEvent).order_by(UsageEvent.id)).all()


def test_a_download_in_many_ranges_counts_once_and_head_304_robots_never(client, hub, world):
    rid = publish(hub, world)["id"]
    url = f"/api/v1/resources/{rid}/files/课件.pdf"
    token = world.tokens["t"]
    assert _get(client, url, token).status_code == 200
    for part in ("bytes=0-99", "bytes=100-", "bytes=100-"):
        assert _get(client, url, token, Range=part).status_code == 206
    etag = _get(client, url, token, method="HEAD").headers["ETag"]
    assert _get(client, url, token, **{"If-None-Match": etag}).status_code == 304
    assert _get(client, url, agent="Mozilla/5.0 (compatible; Baiduspider/2.0)").status_code == 200
    assert _get(client, url).status_code == 200  # one anonymous visitor
    hub.stats.refresh()
    events = _events(hub)
    assert [e.kind for e in events] == ["download"] * 5  # 4 by the teacher, 1 anonymous
    assert hub.resources.get(world.teacher, rid)["downloads"] == 2
    with hub.db.session() as session:
        assert session.get(Resource, rid).downloads == 2
        rows = session.scalars(select(UsageDaily).where(UsageDaily.kind == "download")).all()
    assert sorted((r.visitor_org or "-", r.count) for r in rows) == [("-", 1), ("xq-school-2", 1)]


def test_no_raw_address_or_user_agent_is_ever_stored(client, hub, world):
    rid = publish(hub, world)["id"]
    _get(client, f"/api/v1/resources/{rid}/files/课件.pdf")
    _get(client, f"/api/v1/resources/{rid}", world.tokens["t"])
    hub.usage.flush()
    events = _events(hub)
    assert len(events) == 2
    for event in events:
        stored = " ".join(str(v) for v in vars(event).values())
        assert ADDRESS not in stored and "Chrome" not in stored
        assert len(event.visitor_key) == 32
    teacher = next(e for e in events if e.kind == "view")
    assert (teacher.visitor_org, teacher.visitor_region) == ("xq-school-2", "640104")
    assert (teacher.stage, teacher.subjects, teacher.org) == ("junior", ["math"], "xq-school-1")


def test_views_by_the_owner_are_not_counted_others_are(client, hub, world):
    rid = publish(hub, world)["id"]
    _get(client, f"/api/v1/resources/{rid}", world.tokens["c"])  # the contributor owns it
    _get(client, f"/api/v1/resources/{rid}", world.tokens["t"])
    _get(client, f"/r/{rid}", world.tokens["o"])
    _get(client, "/api/v1/resources?q=有理数", world.tokens["t"])
    hub.usage.flush()
    assert sorted(e.kind for e in _events(hub)) == ["search", "view", "view"]


def test_the_visitor_key_is_keyed_and_rotates_daily():
    from hub.services.usage import visitor_key

    today = visitor_key("secret", "2026-12-06", "anon:1.2.3.4|ua")
    assert today == visitor_key("secret", "2026-12-06", "anon:1.2.3.4|ua")
    assert today != visitor_key("secret", "2026-12-07", "anon:1.2.3.4|ua")
    assert today != visitor_key("other", "2026-12-06", "anon:1.2.3.4|ua")


def test_the_recorders_key_cache_follows_the_day(hub):
    from hub.services.usage import visitor_key

    monday = datetime(2026, 12, 7, 23, 59, tzinfo=UTC)
    tuesday = monday + timedelta(minutes=2)
    secret = hub.usage.secret_key
    assert hub.usage._key(monday, "user:7") == visitor_key(secret, "2026-12-07", "user:7")
    assert hub.usage._key(tuesday, "user:7") == visitor_key(secret, "2026-12-08", "user:7")
    assert hub.usage._key(monday, "user:7") != hub.usage._key(tuesday, "user:7")


def test_a_client_over_the_rate_is_left_out(client, hub, world):
    hub.usage.rate = 3
    for _ in range(6):
        _get(client, "/api/v1/resources?q=数学")
    hub.usage.flush()
    assert len(_events(hub)) == 3


def test_the_buffer_is_bounded_while_the_writer_is_down(hub):
    hub.usage.limit = 2
    for _ in range(5):
        hub.usage.record("search", ip="198.51.100.1", user_agent="ua")
    assert len(hub.usage.buffer) == 2 and hub.usage.dropped == 3


def test_events_past_retention_go_and_their_aggregates_stay(client, hub, world):
    old = datetime.now(UTC) - timedelta(days=hub.config.events_days + 5)
    with hub.db.session() as session:
        session.add(UsageEvent(at=old, kind="search", visitor_key="k" * 32, subjects=[], grades=[]))
        session.commit()
    done = hub.stats.refresh()
    assert done["purged"] == 1 and _events(hub) == []
    with hub.db.session() as session:
        kept = session.scalars(select(UsageDaily)).all()
    assert [(r.day, r.kind, r.count) for r in kept] == [(old.date(), "search", 1)]
    assert isinstance(kept[0].day, date)


def test_refresh_twice_changes_nothing(client, hub, world):
    rid = publish(hub, world)["id"]
    _get(client, f"/api/v1/resources/{rid}/files/课件.pdf", world.tokens["t"])
    hub.stats.refresh()
    assert hub.stats.refresh()["events"] == 0
    _get(client, f"/api/v1/resources/{rid}/files/课件.pdf", world.tokens["o"])
    hub.stats.refresh()
    with hub.db.session() as session:
        assert session.get(Resource, rid).downloads == 2


def test_uploads_and_publishing_through_the_api_are_recorded(client, hub, world):
    contributor, reviewer = auth_header(world.tokens["c"]), auth_header(world.tokens["r"])
    rid = client.post("/api/v1/resources", json=valid_record(), headers=contributor).json["id"]
    put = client.put(f"/api/v1/resources/{rid}/files/课件.pdf", data=PDF_BYTES, headers=contributor)
    assert put.status_code == 201
    assert (
        client.post(f"/api/v1/resources/{rid}/actions/submit", headers=contributor).status_code
        == 200
    )
    assert (
        client.post(f"/api/v1/resources/{rid}/actions/publish", headers=reviewer).status_code == 200
    )
    hub.stats.refresh()
    assert [(e.kind, e.file_name, e.stage) for e in _events(hub)] == [
        ("upload", "课件.pdf", "junior"),
        ("publish", None, "junior"),
    ]
    assert hub.stats.overview()["active"]["contributors_30_days"] == 2


class _FullDisk:
    """A database whose writes the file system refuses, as SQLite's journal on a full disk."""

    def session(self):
        raise OSError(errno.ENOSPC, "No space left on device")


class _Broken:
    def session(self):
        raise RuntimeError("connection refused")


def test_a_full_disk_logs_one_line_a_tick_and_keeps_the_events_for_later(hub, caplog, monkeypatch):
    writes_to = hub.usage.db
    monkeypatch.setattr(hub.usage, "db", _FullDisk())
    hub.usage.record("search", ip="198.51.100.2", user_agent="ua")

    assert hub.usage.flush_logged() is False

    (line,) = [r for r in caplog.records if r.name == "hub.services.usage"]
    assert line.levelname == "WARNING" and line.exc_info is None
    assert "disk space" in line.getMessage() and "1 waiting" in line.getMessage()
    hub.usage.db = writes_to
    assert hub.usage.flush_logged() is True and len(_events(hub)) == 1


def test_any_other_failure_is_logged_with_its_traceback(hub, caplog, monkeypatch):
    monkeypatch.setattr(hub.usage, "db", _Broken())
    hub.usage.record("search", ip="198.51.100.3", user_agent="ua")

    assert hub.usage.flush_logged() is False

    (line,) = [r for r in caplog.records if r.name == "hub.services.usage"]
    assert line.levelname == "ERROR" and line.exc_info is not None
    assert len(hub.usage.buffer) == 1
