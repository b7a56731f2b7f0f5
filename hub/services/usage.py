"""Usage events, recorded without slowing requests: a bounded in-process buffer written in batches.

A request only appends a small tuple (the visitor key already hashed: no address leaves it);
a daemon thread writes the buffer every `EDUHUB_EVENTS_FLUSH_SECONDS` and at exit, filling in
the resource's facets and the visitor's organisation with one query per batch. With the database
down the buffer stays bounded (`EDUHUB_EVENTS_BUFFER`); what does not fit is counted in
`dropped`. The aggregation counts a download once per visitor, file and day, so every byte
range is simply recorded.
"""

from __future__ import annotations

import atexit
import hashlib
import hmac
import json
import logging
import re
import threading
import time
from collections import deque
from datetime import UTC, datetime
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import Column, MetaData, Table, TypeDecorator, select

from hub.db.base import JSONType
from hub.db.models.accounts import Membership, Organisation
from hub.db.models.resources import Resource
from hub.db.models.sources import Source
from hub.db.models.usage import EVENT_KINDS, UsageEvent
from hub.storage.space import is_disk_full

log = logging.getLogger(__name__)
# Crawlers that announce themselves; anything faster than the rate limit is left out as well.
ROBOTS = re.compile(
    r"bot\b|bot/|spider|crawl|slurp|baiduspider|bytespider|sogou|yandex|ahrefs|semrush|headless",
    re.IGNORECASE,
)


class _Encoded(TypeDecorator):
    """A JSON column handed text encoded once per record in a batch, not once per event."""

    impl = JSONType
    cache_ok = True

    def bind_processor(self, dialect):
        return None


# The events table as the writer inserts into it: the facet lists arrive already encoded.
_EVENTS = Table(
    "usage_events",
    MetaData(),
    *(
        Column(c.name, _Encoded() if c.name in ("subjects", "grades") else c.type)
        for c in UsageEvent.__table__.columns
        if c.name != "id"
    ),
)


class Pending(NamedTuple):
    at: datetime
    kind: str
    visitor_key: str
    resource_id: str | None
    file_name: str | None
    user_id: int | None


@lru_cache(maxsize=4096)  # browsers send a few thousand distinct agents; a lookup beats the regex
def is_robot(user_agent: str | None) -> bool:
    return bool(user_agent and ROBOTS.search(user_agent))


@lru_cache(maxsize=4)
def daily_salt(secret: str, day: str) -> bytes:
    """The day's salt from the hub's secret: yesterday's keys cannot be linked to today's."""
    return hmac.new(secret.encode(), f"usage-salt:{day}".encode(), hashlib.sha256).digest()


def visitor_key(secret: str, day: str, identity: str) -> str:
    """Keyed BLAKE2b of the visitor's identity under the day's salt (a MAC, cheaper than HMAC)."""
    key = daily_salt(secret, day)
    return hashlib.blake2b(identity.encode(), key=key, digest_size=16).hexdigest()


class UsageRecorder:
    """One per process: `record()` from requests; `flush()` from the writer thread, CLI, exit.

    `db` receives the batches; `config` gives the secret keying visitors, the buffer and rates."""

    def __init__(self, db, config):
        self.db = db
        self.secret_key = config.secret_key
        self.enabled = config.events_enabled
        self.buffer: deque[Pending] = deque()
        self.limit = config.events_buffer
        self.rate = config.events_rate_per_minute
        self.interval = config.events_flush_seconds
        self.dropped = 0
        self._lock = threading.Lock()
        self._rates: dict[str, tuple[int, int]] = {}
        self._keys: dict[str, str] = {}  # today's identity -> visitor key: a visitor repeats
        self._keys_day = ""
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()

    def record(self, kind, *, ip, user_agent, user_id=None, resource_id=None, file_name=None):
        if not self.enabled or kind not in EVENT_KINDS or is_robot(user_agent):
            return
        now = datetime.now(UTC)
        identity = f"user:{user_id}" if user_id else f"anon:{ip}|{user_agent or ''}"
        key = self._key(now, identity)
        if self._over_rate(key, int(now.timestamp()) // 60):
            return
        # deque.append is atomic: no lock on the request path; the bound is checked loosely.
        if len(self.buffer) >= self.limit:
            self.dropped += 1
            return
        self.buffer.append(Pending(now, kind, key, resource_id, file_name, user_id))
        if self._thread is None:
            self._start()

    def _key(self, now: datetime, identity: str) -> str:
        day = now.date().isoformat()
        if day != self._keys_day or len(self._keys) > 50_000:
            self._keys, self._keys_day = {}, day  # yesterday's keys go with yesterday's salt
        key = self._keys.get(identity)
        if key is None:
            key = self._keys[identity] = visitor_key(self.secret_key, day, identity)
        return key

    def _over_rate(self, key: str, minute: int) -> bool:
        seen_minute, count = self._rates.get(key, (minute, 0))
        count = count + 1 if seen_minute == minute else 1
        if len(self._rates) > 50_000:
            self._rates.clear()  # bounded memory; a robot caught again next minute
        self._rates[key] = (minute, count)
        return count > self.rate

    def _start(self) -> None:
        if self._thread is None and self.interval > 0:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._run, name="usage-writer", daemon=True
                    )
                    self._thread.start()
                    atexit.register(self.close)

    def _run(self) -> None:
        while not self._wake.wait(self.interval):
            if not self.flush_logged():
                time.sleep(self.interval)

    def flush_logged(self) -> bool:
        """The writer's tick: flush, and on failure log it and keep the events for the next tick."""
        try:
            self.flush()
            return True
        except (
            Exception
        ) as exc:  # the writer must survive a database outage; the buffer stays bounded
            if is_disk_full(exc):  # the admin's to fix: one line a tick, not a traceback
                log.warning(
                    "usage events wait for disk space under the data directory: %d waiting, "
                    "%d dropped so far",
                    len(self.buffer),
                    self.dropped,
                )
            else:
                log.exception("writing usage events failed; %d waiting", len(self.buffer))
            return False

    def close(self) -> None:
        self._wake.set()
        try:
            self.flush()
        except Exception:
            log.exception("usage events lost at shutdown: %d", len(self.buffer))

    def flush(self) -> int:
        """Write everything buffered; on failure put it back (as far as it fits) and re-raise."""
        batch = []
        with self._lock:  # one flush at a time; requests only append
            while self.buffer:
                batch.append(self.buffer.popleft())
        if not batch:
            return 0
        try:
            rows = self._rows(batch)
            if rows:
                with self.db.session() as session:
                    # Core, not the ORM's bulk insert: a third of the cost per event.
                    session.connection().execute(_EVENTS.insert(), rows)
                    session.commit()
        except Exception:
            self._requeue(batch)
            raise
        return len(rows)

    def _requeue(self, batch: list[Pending]) -> None:
        with self._lock:
            room = max(self.limit - len(self.buffer), 0)
            self.dropped += max(len(batch) - room, 0)
            self.buffer.extendleft(reversed(batch[:room]))

    def _rows(self, batch: list[Pending]) -> list[dict]:
        with self.db.session() as session:
            facets = _resource_facets(session, {p.resource_id for p in batch if p.resource_id})
            visitors = _visitor_orgs(session, {p.user_id for p in batch if p.user_id})
        rows = []
        for p in batch:
            facet = facets.get(p.resource_id, {})
            if p.kind == "view" and p.user_id and facet.get("owner_id") == p.user_id:
                continue  # an owner reading their own page is not use
            org, region = visitors.get(p.user_id, (None, None))
            row = {k: v for k, v in facet.items() if k != "owner_id"} or _NO_FACETS
            rows.append(
                dict(
                    row,
                    at=p.at,
                    kind=p.kind,
                    visitor_key=p.visitor_key,
                    resource_id=p.resource_id,
                    file_name=p.file_name,
                    visitor_org=org,
                    visitor_region=region,
                )
            )
        return rows


_NO_FACETS = dict(
    stage=None, subjects="[]", grades="[]", type=None, source=None, org=None, region=None
)


def _json(values) -> str:
    return json.dumps(list(values or []), ensure_ascii=False, separators=(",", ":"))


def _resource_facets(session, ids: set[str]) -> dict[str, dict]:
    if not ids:
        return {}
    query = (
        select(Resource, Organisation.code, Source.name)
        .join(Organisation, Organisation.id == Resource.org_id)
        .outerjoin(Source, Source.id == Resource.source_id)
        .where(Resource.id.in_(ids))
    )
    out = {}
    for res, org_code, source in session.execute(query):
        out[res.id] = dict(
            stage=res.stage,
            subjects=_json(res.subjects),
            grades=_json(res.grades),
            type=res.type,
            source=source,
            org=org_code,
            region=res.region,
            owner_id=res.owner_id,
        )
    return out


def _visitor_orgs(session, user_ids: set[int]) -> dict[int, tuple[str, str | None]]:
    """A signed-in visitor's first organisation (by membership order) and its region."""
    if not user_ids:
        return {}
    query = (
        select(Membership.user_id, Organisation.code, Organisation.region)
        .join(Organisation, Organisation.id == Membership.org_id)
        .where(Membership.user_id.in_(user_ids))
        .order_by(Membership.id)
    )
    out: dict[int, tuple[str, str | None]] = {}
    for user_id, code, region in session.execute(query):
        out.setdefault(user_id, (code, region))
    return out
