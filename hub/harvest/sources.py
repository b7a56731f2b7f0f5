"""Harvest sources: register, list and describe them (admins only for changes)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connectors import kinds, policy_for
from connectors.base import SourceConfig
from connectors.outbound import Refused, Unresolvable
from hub.db.models import Organisation
from hub.db.models.sources import Source, SyncRun
from hub.errors import Conflict, Forbidden, NotFound, ValidationFailed
from hub.harvest.runs import run_to_dict
from hub.security.credentials import CredentialBox, has_token
from hub.security.principal import Principal
from hub.services.orgs import org_by_code

NAME_RE = re.compile(r"[A-Za-z0-9_.-]{1,100}")
SETTABLE = (
    "url",
    "set_spec",
    "metadata_prefix",
    "schedule",
    "review",
    "fetch_files",
    "max_file_mb",
    "options",
    "enabled",
    "allow_private_host",
)


def require_admin(actor: Principal) -> None:
    if not actor.is_admin:
        raise Forbidden(
            "只有管理员可以管理数据源和同步。Only administrators may manage sources and syncs."
        )


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed.from_messages({field: [message]})


def parse_cron(expr: str):
    """A five-field cron expression (minute hour day month weekday) as a Celery crontab."""
    from celery.schedules import crontab  # heavy: only the beat and a source's schedule need it

    parts = (expr or "").split()
    if len(parts) != 5:
        raise _invalid(
            "schedule",
            "计划须为五段 cron 表达式，例如 '0 2 * * *'（每天 2 点）。"
            "The schedule must be a five-field cron expression, e.g. '0 2 * * *' (daily at 02:00).",
        )
    try:
        return crontab(*parts)
    except (ValueError, TypeError) as exc:
        raise _invalid(
            "schedule", f"无法解析 cron 表达式：{exc}。Cannot parse the cron expression: {exc}."
        ) from None


def source_to_dict(source: Source, last_run: SyncRun | None = None) -> dict:
    return {
        "id": source.id,
        "name": source.name,
        "kind": source.kind,
        "url": source.url,
        "set": source.set_spec,
        "metadata_prefix": source.metadata_prefix,
        "schedule": source.schedule,
        "org": source.org.code if source.org is not None else None,
        "review": source.review,
        "fetch_files": source.fetch_files,
        "max_file_mb": source.max_file_mb,
        "enabled": source.enabled,
        "allow_private_host": bool(source.allow_private_host),
        "token_set": has_token(source.options),  # the token itself is never shown again
        "cursor": source.cursor,
        "created": source.created,
        "last_run": run_to_dict(last_run) if last_run is not None else None,
    }


def new_source(data: dict, org: Organisation) -> Source:
    """A checked source's row: a hub's URL without its trailing slash, a hub's files fetched."""
    kind, url = data["kind"], data["url"]
    source = Source(
        name=data["name"],
        kind=kind,
        url=url.rstrip("/") if kind == "hub" else url,
        org_id=org.id,
        fetch_files=bool(data.get("fetch_files", kind == "hub")),
        options={},
    )
    for key in SETTABLE[1:]:
        if data.get(key) is not None:
            setattr(source, key, data[key])
    source.org = org
    return source


class SourceService:
    """`uow`: a unit-of-work factory; `credentials`: seals a source's token at rest (the outbound
    policy is the kind's); `mirror_status(ids)`: the status of the sources that are school
    mirrors, by id."""

    def __init__(self, *, uow, credentials: CredentialBox, mirror_status=None):
        self.uow, self.credentials = uow, credentials
        self.mirror_status = mirror_status

    def create(self, actor: Principal, data: dict, *, origin_only: bool = False) -> dict:
        """A new source. `origin_only`: it only names where imported records came from (an
        offline bundle's hub), is created disabled and never fetched here, so its address is not
        checked now; a sync of it would still be refused at request time by the outbound policy."""
        require_admin(actor)
        name, kind, url = data.get("name"), data.get("kind"), data.get("url")
        self._validate(name, kind, url, data.get("schedule"))
        if origin_only:
            data = {**data, "enabled": False}
        else:
            private = bool(data.get("allow_private_host"))
            check_source_url(url, kind, data.get("options") or {}, private)
        data = {**data, "options": self.credentials.seal_options(with_token(data))}
        with self.uow(actor) as uow:
            source = new_source(data, self._org(uow.session, data.get("org"), name))
            uow.session.add(source)
            try:
                uow.session.flush()
            except IntegrityError:
                raise Conflict(
                    f"已有名为 '{name}' 的数据源，请换一个名称。"
                    f"A source named '{name}' exists; pick another name."
                ) from None
            private = bool(source.allow_private_host)
            uow.audit(
                "source.create",
                "source",
                source.id,
                name=name,
                kind=kind,
                url=url,
                allow_private_host=private,
            )
            result = source_to_dict(source)
            uow.commit()
        return result

    def update(self, actor: Principal, source_id: int, data: dict) -> dict:
        """Change a source's settings; its URL and hosts are checked again."""
        require_admin(actor)
        with self.uow(actor) as uow:
            source = load_source(uow.session, source_id)
            changes = {k: data[k] for k in SETTABLE if data.get(k) is not None}
            if data.get("token") is not None:
                changes["options"] = with_token(data)
            if isinstance(changes.get("options"), dict):  # merged: a new token keeps the rest
                changes["options"] = {**(source.options or {}), **changes["options"]}
            merged = {
                key: changes.get(key, getattr(source, key))
                for key in ("url", "options", "allow_private_host", "schedule")
            }
            self._validate(source.name, source.kind, merged["url"], merged["schedule"])
            check_source_url(
                merged["url"], source.kind, merged["options"] or {}, merged["allow_private_host"]
            )
            if "options" in changes:
                changes["options"] = self.credentials.seal_options(changes["options"])
            for key, value in changes.items():
                setattr(source, key, value)
            audited = {k: v for k, v in changes.items() if k != "options"}  # options hold tokens
            uow.audit("source.update", "source", source.id, **audited)
            result = source_to_dict(source, self._last_run(uow.session, source.id))
            uow.commit()
        return result

    def list(self, actor: Principal) -> list[dict]:
        require_admin(actor)
        with self.uow(actor) as uow:
            sources = uow.session.scalars(select(Source).order_by(Source.name)).all()
            found = [source_to_dict(s, self._last_run(uow.session, s.id)) for s in sources]
        return self._with_mirrors(found)

    def get(self, actor: Principal, source_id: int) -> dict:
        require_admin(actor)
        with self.uow(actor) as uow:
            source = load_source(uow.session, source_id)
            found = source_to_dict(source, self._last_run(uow.session, source.id))
        return self._with_mirrors([found])[0]

    def _with_mirrors(self, found: list[dict]) -> list[dict]:
        """Each source with `mirror`: its mirror's status, or None for a source taken whole."""
        status = self.mirror_status([s["id"] for s in found]) if self.mirror_status else {}
        return [s | {"mirror": status.get(s["id"])} for s in found]

    def id_for_name(self, name: str) -> int:
        with self.uow() as uow:
            source_id = uow.session.scalar(select(Source.id).where(Source.name == name))
        if source_id is None:
            raise NotFound(
                f"没有名为 '{name}' 的数据源；用 `eduhub sources list` 查看。"
                f"No source is named '{name}'; see `eduhub sources list`."
            )
        return source_id

    def scheduled(self) -> list[tuple[int, str, str]]:
        """(id, name, cron) of every enabled source with a schedule, for the beat process."""
        with self.uow() as uow:
            rows = uow.session.execute(
                select(Source.id, Source.name, Source.schedule).where(
                    Source.enabled.is_(True), Source.schedule.is_not(None)
                )
            ).all()
        return [tuple(r) for r in rows]

    @staticmethod
    def _last_run(session: Session, source_id: int) -> SyncRun | None:
        return session.scalar(
            select(SyncRun)
            .where(SyncRun.source_id == source_id)
            .order_by(SyncRun.id.desc())
            .limit(1)
        )

    @staticmethod
    def _validate(name, kind, url, schedule) -> None:
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            raise _invalid(
                "name",
                "名称须为 1-100 个英文字母、数字或 _ . -。"
                "The name must be 1-100 ASCII letters, digits, '_', '.' or '-'.",
            )
        if kind not in kinds():
            names = ", ".join(kinds())
            raise _invalid("kind", f"类型须为 {names} 之一。The kind must be one of {names}.")
        if not isinstance(url, str) or not re.match(r"https?://[^\s/]+", url):
            raise _invalid(
                "url",
                "请给出 http:// 或 https:// 开头的地址。"
                "Give an address starting with http:// or https://.",
            )
        if schedule:
            parse_cron(schedule)

    @staticmethod
    def _org(session: Session, code: str | None, name: str) -> Organisation:
        """The named organisation, or one made for this source (an alliance member named so)."""
        if code:
            return org_by_code(session, code)
        code = f"src-{name}"[:64]
        org = session.scalar(select(Organisation).where(Organisation.code == code))
        if org is None:
            org = Organisation(code=code, name=name, kind="alliance", path="/")
            session.add(org)
            session.flush()
            org.path = f"/{org.id}/"
        return org


def with_token(data: dict) -> dict | None:
    """The options a request sets, with its `token` field (the API's and the CLI's) among them."""
    options = data.get("options")
    if data.get("token") is None:
        return options
    return {**(options if isinstance(options, dict) else {}), "token": data["token"]}


def check_source_url(url: str, kind: str, options: dict, allow_private_host: bool) -> None:
    """The outbound policy applied when a source is added or changed: a bad URL is refused at once.

    A name that does not resolve now is accepted (DNS may be down); each request checks again."""
    if not isinstance(options, dict):
        raise _invalid("options", "options 须为 JSON 对象。The options must be a JSON object.")
    config = SourceConfig(
        name="check", kind=kind, url=url, options=options, allow_private_host=allow_private_host
    )
    policy = policy_for(config)
    for field_name, value in _urls_of(url, options):
        try:
            policy.check(value)
        except Unresolvable:
            continue
        except Refused as exc:
            raise _invalid(field_name, str(exc)) from None


def _urls_of(url: str, options: dict):
    yield "url", url
    for key in ("file_origins", "file_hosts", "catalogue_hosts"):
        values = options.get(key) or ()
        if isinstance(values, str) or not all(isinstance(v, str) for v in values):
            raise _invalid("options", f"{key} 须为地址列表。{key} must be a list of URLs.")
        yield from ((f"options.{key}", value) for value in values)


def source_config(source: Source, credentials: CredentialBox | None = None) -> SourceConfig:
    """What a connector needs to know of a registered source (the database row stays here); with
    `credentials`, its sealed token opened."""
    options = dict(source.options or {})
    return SourceConfig(
        name=source.name,
        kind=source.kind,
        url=source.url,
        set_spec=source.set_spec,
        metadata_prefix=source.metadata_prefix,
        options=credentials.open_options(options) if credentials else options,
        fetch_files=source.fetch_files,
        max_file_bytes=source.max_file_mb * 1024 * 1024,
        allow_private_host=bool(source.allow_private_host),
    )


def load_source(session: Session, source_id: int) -> Source:
    source = session.get(Source, source_id)
    if source is None:
        raise NotFound(f"没有编号为 {source_id} 的数据源。No source has the id {source_id}.")
    return source
