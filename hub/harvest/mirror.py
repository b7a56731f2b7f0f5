"""School mirrors: a `hub` source made a mirror (selection, window, cap), its status, its nights."""

from __future__ import annotations

from sqlalchemy import func, select

from hub.db.models import Resource, ResourceFile
from hub.db.models.mirrors import Mirror, MirrorFile
from hub.errors import ValidationFailed
from hub.harvest.mirror_config import (
    check_zone,
    describe_rate,
    parse_rate,
    parse_selection,
    parse_window,
)
from hub.harvest.mirror_fill import MirrorFiller, now
from hub.harvest.sources import load_source, require_admin
from hub.security.principal import SYSTEM, Principal


class MirrorService:
    """`uow`: units of work; `filler`: a `MirrorFiller` (fetches in the window); `clock()`: now."""

    def __init__(self, *, uow, filler: MirrorFiller, clock=now):
        self.uow, self.filler, self.clock = uow, filler, clock

    def set_clock(self, clock) -> None:
        """One clock for the status and the filler's window (tests move it by hand)."""
        self.clock = self.filler.clock = clock

    def configure(self, actor: Principal, source_id: int, options: dict) -> dict:
        """Make a `hub` source a mirror, or change its mirror settings (only those given).

        `options`: `filter` (["stage=小学", ...]), `window` ("22:00-06:00" or "" for any hour),
        `timezone`, `rate` ("2MB/s", "0" for no cap)."""
        require_admin(actor)
        with self.uow(actor) as uow:
            source = load_source(uow.session, source_id)
            if source.kind != "hub":
                raise ValidationFailed.from_messages(
                    {"kind": ["只有 hub 类型的数据源可作镜像。Only a hub source can be a mirror."]}
                )
            mirror = uow.session.get(Mirror, source_id) or Mirror(
                source_id=source_id, selection={}, rate=0, timezone="Asia/Shanghai"
            )
            _apply(mirror, options)
            source.fetch_files = True  # a mirror exists for its files
            uow.session.add(mirror)
            uow.audit("source.mirror", "source", source_id, **describe(mirror))
            result = describe(mirror)
            uow.commit()
        return result

    def status(self, source_ids: list[int] | None = None) -> dict[int, dict]:
        """Each mirror's settings and progress: mirrored, pending and failed files, bytes left."""
        with self.uow(SYSTEM) as uow:
            query = select(Mirror)
            if source_ids is not None:
                query = query.where(Mirror.source_id.in_(source_ids))
            mirrors = uow.session.scalars(query).all()
            return {m.source_id: self._status(uow.session, m) for m in mirrors}

    def fill(self, source_id: int, *, ignore_window: bool = False) -> dict:
        """One pass over the mirror's queue (the window is respected unless told otherwise)."""
        return self.filler.fill(source_id, ignore_window=ignore_window).to_dict()

    def fill_due(self) -> list[dict]:
        """A pass for every enabled mirror whose window is open now (the beat's task)."""
        due = [sid for sid, s in self.status().items() if s["open"] and s["pending"]["files"]]
        return [self.fill(source_id) for source_id in due]

    def _status(self, session, mirror: Mirror) -> dict:
        queued = _queued(session, mirror.source_id)
        pending = queued.get("pending", (0, 0, 0))
        window = parse_window(mirror.window, mirror.timezone) if mirror.window else None
        now = self.clock()
        return describe(mirror) | {
            "open": window is None or window.is_open(now),
            "next_window": None if window is None else window.next_open(now).isoformat(),
            "mirrored": _here(session, mirror.source_id),
            "pending": {
                "files": pending[0],
                "bytes": pending[1],
                "bytes_left": pending[1] - pending[2],
            },
            "failed": queued.get("failed", (0,))[0],
            "filling": bool(mirror.lease_until and mirror.lease_until > now),
            "last_fill": mirror.last_fill,
            "last_error": mirror.last_error,
        }


def _queued(session, source_id: int) -> dict[str, tuple[int, int, int]]:
    """status -> (files, bytes, bytes staged) of the mirror's queue."""
    query = (
        select(
            MirrorFile.status,
            func.count(),
            func.coalesce(func.sum(MirrorFile.size), 0),
            func.coalesce(func.sum(MirrorFile.fetched), 0),
        )
        .where(MirrorFile.source_id == source_id)
        .group_by(MirrorFile.status)
    )
    return {row[0]: (row[1], int(row[2]), int(row[3])) for row in session.execute(query)}


def _here(session, source_id: int) -> dict:
    """The files of the mirror's records that are here (of records not withdrawn)."""
    files, size = session.execute(
        select(func.count(), func.coalesce(func.sum(ResourceFile.size), 0))
        .join(Resource, Resource.id == ResourceFile.resource_id)
        .where(Resource.source_id == source_id, Resource.status != "withdrawn")
    ).one()
    return {"files": files, "bytes": int(size)}


def _apply(mirror: Mirror, options: dict) -> None:
    """The given settings, each checked (a bad one changes nothing)."""
    zone = options.get("timezone") or mirror.timezone
    if options.get("filter") is not None:
        mirror.selection = parse_selection(options["filter"])
    if options.get("window") is not None or options.get("timezone"):
        text = options.get("window", mirror.window)
        window = parse_window(text, zone) if text else None
        mirror.window = window.text if window else None
        mirror.timezone = window.zone if window else check_zone(zone)
    if options.get("rate") is not None:
        mirror.rate = parse_rate(str(options["rate"]))


def describe(mirror: Mirror) -> dict:
    return {
        "selection": dict(mirror.selection or {}),
        "window": mirror.window,
        "timezone": mirror.timezone,
        "rate": describe_rate(mirror.rate or 0),
        "rate_bytes": mirror.rate or 0,
    }


def mirror_options(filters, window, timezone, rate) -> dict:
    """The CLI's and the page's mirror options, checked now (before a source is created)."""
    options = {"filter": list(filters) if filters else None, "window": window}
    options |= {"timezone": timezone, "rate": rate}
    _apply(Mirror(selection={}, rate=0, timezone="Asia/Shanghai"), options)
    return {k: v for k, v in options.items() if v is not None}
