"""OAI-PMH 2.0 provider: the six verbs over published (and withdrawn) records, read-only.

Anonymous harvesters see public records; a harvest token bound to an organisation subtree sees
what that subtree's members may read (the same sets; the crosswalks then carry the visibility).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from lxml import etree
from sqlalchemy import Text, and_, cast, func, or_, select

from hub.db.models import Organisation, Resource
from hub.security.principal import ANONYMOUS, Principal
from hub.services.permissions import published_visibility_clause
from metadata.crosswalks import VocabLookup, lom, oai_dc
from metadata.xml import sub, to_bytes

NS = "http://www.openarchives.org/OAI/2.0/"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
PAGE_SIZE = 100
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
FORMATS = {
    oai_dc.PREFIX: (oai_dc.SCHEMA, oai_dc.NS_OAI_DC, oai_dc.to_oai_dc),
    lom.PREFIX: (lom.SCHEMA, lom.NS, lom.to_lom),
}
# verb -> (required arguments, optional arguments); resumptionToken is exclusive where allowed.
VERBS = {
    "Identify": ((), ()),
    "ListMetadataFormats": ((), ("identifier",)),
    "ListSets": ((), ("resumptionToken",)),
    "GetRecord": (("identifier", "metadataPrefix"), ()),
    "ListIdentifiers": (("metadataPrefix",), ("from", "until", "set", "resumptionToken")),
    "ListRecords": (("metadataPrefix",), ("from", "until", "set", "resumptionToken")),
}
SET_SPEC = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
SET_FAMILIES = {
    "stage": ("学段", "Stage"),
    "subject": ("学科", "Subject"),
    "org": ("机构", "Organisation"),
}


class TokenError(ValueError):
    """A resumption token that is not one of ours, was tampered with, or belongs to another verb."""


@dataclass
class ListPosition:
    """Where a list request stands: its filters and the last (updated, id) sent. Tokens encode
    exactly this."""

    verb: str
    prefix: str
    set_spec: str | None = None
    start: datetime | None = None
    until: datetime | None = None
    after_updated: datetime | None = None
    after_id: str | None = None
    cursor: int = 0
    total: int | None = None

    def advance(self, updated: datetime, resource_id: str, count: int) -> ListPosition:
        return replace(
            self, after_updated=updated, after_id=resource_id, cursor=self.cursor + count
        )


class TokenSigner:
    """Stateless resumption tokens: the position as compact JSON, base64url, with an HMAC-SHA256
    tag."""

    FIELDS = (
        "verb",
        "prefix",
        "set_spec",
        "start",
        "until",
        "after_updated",
        "after_id",
        "cursor",
        "total",
    )

    def __init__(self, secret: str):
        self.key = hashlib.sha256(b"oai-resumption-token\0" + secret.encode()).digest()

    def dump(self, position: ListPosition) -> str:
        values = [
            _iso(v) if isinstance(v, datetime) else v
            for v in (getattr(position, f) for f in self.FIELDS)
        ]
        body = base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).rstrip(
            b"="
        )
        return f"{body.decode()}.{self._tag(body)}"

    def load(self, token: str, verb: str) -> ListPosition:
        body, _, tag = token.partition(".")
        if not body or not hmac.compare_digest(tag, self._tag(body.encode())):
            raise TokenError(
                "Invalid or expired resumptionToken / 续传令牌无效，请重新开始列表请求"
            )
        try:
            values = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            position = ListPosition(**dict(zip(self.FIELDS, values, strict=True)))
            for name in ("start", "until", "after_updated"):
                value = getattr(position, name)
                setattr(position, name, datetime.fromisoformat(value) if value else None)
        except (ValueError, TypeError):
            raise TokenError("Unreadable resumptionToken / 续传令牌无法解析") from None
        if position.verb != verb:
            raise TokenError(f"This resumptionToken belongs to {position.verb}, not {verb}")
        return position

    def _tag(self, body: bytes) -> str:
        return hmac.new(self.key, body, hashlib.sha256).hexdigest()[:32]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


class OaiError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class OaiService:
    """`respond(args, base_url)` answers one request with the bytes of an OAI-PMH document."""

    def __init__(self, db, config, resources, vocabularies):
        self.db, self.config, self.resources = db, config, resources
        self.vocabularies = vocabularies
        self.signer = TokenSigner(config.secret_key)

    @property
    def repository_id(self) -> str | None:
        return getattr(self.config, "oai_repository_id", None) or os.environ.get(
            "EDUHUB_OAI_REPOSITORY_ID"
        )

    def respond(
        self, args: dict[str, list[str]], *, base_url: str, actor: Principal = ANONYMOUS
    ) -> bytes:
        request = _Request(self, args, base_url, actor)
        root = request.envelope()
        try:
            verb = _check_arguments(args)
            request.echo_arguments(root)
            getattr(request, verb)(root)
        except OaiError as error:
            _strip_after_request(root)
            if error.code in ("badVerb", "badArgument"):
                root[
                    1
                ].attrib.clear()  # the protocol: echo no arguments when they were not understood
            sub(root, f"{{{NS}}}error", error.message, code=error.code)
        return to_bytes(root)


def _check_arguments(args: dict[str, list[str]]) -> str:
    verbs = args.get("verb") or []
    if len(verbs) != 1 or verbs[0] not in VERBS:
        raise OaiError("badVerb", "Missing, repeated or unknown verb / 缺少或未知的 verb 参数")
    required, optional = VERBS[verbs[0]]
    for name, values in args.items():
        if name == "verb":
            continue
        if name not in required + optional:
            raise OaiError("badArgument", f"Illegal argument {name!r} for {verbs[0]}")
        if len(values) != 1:
            raise OaiError("badArgument", f"Argument {name!r} given more than once")
    if "resumptionToken" in args:
        if len(args) != 2:
            raise OaiError("badArgument", "resumptionToken is an exclusive argument")
        return verbs[0]
    missing = [name for name in required if name not in args]
    if missing:
        raise OaiError("badArgument", f"Missing required argument(s): {', '.join(missing)}")
    return verbs[0]


def _strip_after_request(root) -> None:
    for child in list(root)[2:]:
        root.remove(child)


def parse_datestamp(value: str, *, until: bool = False) -> tuple[datetime, str]:
    """A from/until argument as a UTC datetime; `until` becomes an exclusive upper bound."""
    if _DAY.match(value):
        granularity, step, fmt = "day", timedelta(days=1), "%Y-%m-%d"
    elif _SECOND.match(value):
        granularity, step, fmt = "second", timedelta(seconds=1), "%Y-%m-%dT%H:%M:%SZ"
    else:
        raise OaiError(
            "badArgument", f"Bad datestamp {value!r}; use YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ"
        )
    try:
        moment = datetime.strptime(value, fmt).replace(tzinfo=UTC)
    except ValueError:
        raise OaiError("badArgument", f"Bad datestamp {value!r}") from None
    return (moment + step if until else moment), granularity


def datestamp(moment: datetime | None) -> str:
    moment = moment or datetime(1970, 1, 1, tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def visible():
    """Public records that are published, or were published and then withdrawn (persistent
    deletions)."""
    return and_(Resource.visibility == "public", feedable())


def feedable():
    """Published records, and withdrawn ones that had been published."""
    return or_(
        Resource.status == "published",
        and_(Resource.status == "withdrawn", Resource.published.is_not(None)),
    )


def scoped(query, actor: Principal):
    """`query` (over Resource) limited to what `actor` may harvest: public records, or for a
    bound harvest token what its subtree's members may read."""
    if actor.harvest_path is None:
        return query.where(visible())
    return (
        query.select_from(Resource)
        .outerjoin(Organisation, Resource.org_id == Organisation.id)
        .where(feedable(), published_visibility_clause(actor))
    )


def is_live(resource: Resource) -> bool:
    """Reported with metadata; anything else visible is a deleted record: a withdrawal, or a version
    superseded by a newer one (so a harvester keeps exactly one record per resource lineage, the
    latest)."""
    return resource.status == "published" and bool(resource.is_latest)


class _Request:
    """One request: the envelope, the verb handlers and the queries they need."""

    def __init__(
        self, service: OaiService, args: dict[str, list[str]], base_url: str, actor: Principal
    ):
        self.service, self.actor = service, actor
        self.db, self.config = service.db, service.config
        self.resources, self.vocabularies = service.resources, service.vocabularies
        self.args = {name: values[0] for name, values in args.items() if values}
        self.base_url = base_url
        self.site_url = base_url.rsplit("/oai", 1)[0]
        self.repository_id = service.repository_id or (urlsplit(base_url).hostname or "localhost")

    # -- envelope ----------------------------------------------------------------------------------
    def envelope(self):
        root = etree.Element(f"{{{NS}}}OAI-PMH", nsmap={None: NS, "xsi": NS_XSI})
        root.set(f"{{{NS_XSI}}}schemaLocation", f"{NS} {SCHEMA}")
        sub(root, f"{{{NS}}}responseDate", datestamp(datetime.now(UTC)))
        sub(root, f"{{{NS}}}request", self.base_url)
        return root

    def echo_arguments(self, root) -> None:
        request = root[1]
        for name, value in self.args.items():
            request.set(name, value)

    def element(self, parent, name: str, text=None, **attrib):
        return sub(parent, f"{{{NS}}}{name}", text, **attrib)

    # -- verbs -------------------------------------------------------------------------------------
    def Identify(self, root) -> None:
        config = self.config
        identify = self.element(root, "Identify")
        self.element(
            identify, "repositoryName", getattr(config, "oai_repository_name", None) or "EduHub"
        )
        self.element(identify, "baseURL", self.base_url)
        self.element(identify, "protocolVersion", "2.0")
        host = self.repository_id if "." in self.repository_id else "eduhub.local"
        self.element(
            identify, "adminEmail", getattr(config, "oai_admin_email", None) or f"oai-admin@{host}"
        )
        with self.db.session() as session:
            earliest = session.scalar(scoped(select(func.min(Resource.updated)), self.actor))
        self.element(identify, "earliestDatestamp", datestamp(earliest))
        self.element(identify, "deletedRecord", "persistent")
        self.element(identify, "granularity", GRANULARITY)

    def ListMetadataFormats(self, root) -> None:
        if "identifier" in self.args:
            with self.db.session() as session:
                self.load(session, self.args["identifier"])
        formats = self.element(root, "ListMetadataFormats")
        for prefix, (schema, namespace, _crosswalk) in FORMATS.items():
            entry = self.element(formats, "metadataFormat")
            self.element(entry, "metadataPrefix", prefix)
            self.element(entry, "schema", schema)
            self.element(entry, "metadataNamespace", namespace)

    def ListSets(self, root) -> None:
        if "resumptionToken" in self.args:
            raise OaiError(
                "badResumptionToken", "ListSets is answered in one response; no token is valid"
            )
        sets = self.element(root, "ListSets")
        for spec, name in self.sets():
            entry = self.element(sets, "set")
            self.element(entry, "setSpec", spec)
            self.element(entry, "setName", name)

    def GetRecord(self, root) -> None:
        prefix = self.prefix(self.args["metadataPrefix"])
        with self.db.session() as session:
            resource = self.load(session, self.args["identifier"])
            self.record(self.element(root, "GetRecord"), resource, prefix)

    def ListIdentifiers(self, root) -> None:
        self.list(root, "ListIdentifiers")

    def ListRecords(self, root) -> None:
        self.list(root, "ListRecords")

    # -- lists -------------------------------------------------------------------------------------
    def list(self, root, verb: str) -> None:
        position = self.position(verb)
        with self.db.session() as session:
            query = self.filtered(position)
            if position.total is None:
                position.total = session.scalar(select(func.count()).select_from(query.subquery()))
            page = session.scalars(
                self.after(query, position)
                .order_by(Resource.updated, Resource.id)
                .limit(PAGE_SIZE + 1)
            ).all()
            if not page:
                raise OaiError(
                    "noRecordsMatch", "No records match these arguments / 没有符合条件的记录"
                )
            container = self.element(root, verb)
            for resource in page[:PAGE_SIZE]:
                if verb == "ListIdentifiers":
                    self.header(container, resource)
                else:
                    self.record(container, resource, position.prefix)
            self.token(container, position, page)

    def position(self, verb: str) -> ListPosition:
        if "resumptionToken" in self.args:
            try:
                return self.service.signer.load(self.args["resumptionToken"], verb)
            except TokenError as exc:
                raise OaiError("badResumptionToken", str(exc)) from None
        prefix = self.prefix(self.args["metadataPrefix"])
        start = until = None
        if "from" in self.args:
            start, granularity_from = parse_datestamp(self.args["from"])
        if "until" in self.args:
            until, granularity_until = parse_datestamp(self.args["until"], until=True)
        if start and until and (granularity_from != granularity_until or start >= until):
            raise OaiError(
                "badArgument", "from and until must have the same granularity, from <= until"
            )
        set_spec = self.args.get("set")
        if set_spec is not None:
            self.check_set(set_spec)
        return ListPosition(verb=verb, prefix=prefix, set_spec=set_spec, start=start, until=until)

    def filtered(self, position: ListPosition):
        query = scoped(select(Resource), self.actor)
        if position.start:
            query = query.where(Resource.updated >= position.start)
        if position.until:
            query = query.where(Resource.updated < position.until)
        if position.set_spec:
            query = query.where(set_filter(position.set_spec))
        return query

    @staticmethod
    def after(query, position: ListPosition):
        if position.after_updated is None:
            return query
        moment, last_id = position.after_updated, position.after_id
        return query.where(
            or_(Resource.updated > moment, and_(Resource.updated == moment, Resource.id > last_id))
        )

    def token(self, container, position: ListPosition, page: list) -> None:
        more = len(page) > PAGE_SIZE
        if not more and position.cursor == 0:
            return  # the whole list fitted in one response: no token at all
        attrib = {
            "completeListSize": str(
                max(position.total or 0, position.cursor + len(page[:PAGE_SIZE]))
            ),
            "cursor": str(position.cursor),
        }
        text = None
        if more:
            last = page[PAGE_SIZE - 1]
            text = self.service.signer.dump(position.advance(last.updated, last.id, PAGE_SIZE))
        self.element(container, "resumptionToken", text, **attrib)

    # -- records -----------------------------------------------------------------------------------
    def prefix(self, prefix: str) -> str:
        if prefix not in FORMATS:
            raise OaiError(
                "cannotDisseminateFormat", f"Unknown metadataPrefix {prefix!r}; use oai_dc or lom"
            )
        return prefix

    def identifier(self, resource: Resource) -> str:
        return f"oai:{self.repository_id}:{resource.id}"

    def load(self, session, identifier: str) -> Resource:
        resource_id = identifier.rsplit(":", 1)[-1] if identifier.startswith("oai:") else None
        resource = (
            session.scalar(scoped(select(Resource), self.actor).where(Resource.id == resource_id))
            if resource_id
            else None
        )
        if resource is None:
            raise OaiError("idDoesNotExist", f"No such record: {identifier} / 没有该记录")
        return resource

    def header(self, parent, resource: Resource):
        attrib = {} if is_live(resource) else {"status": "deleted"}
        header = self.element(parent, "header", **attrib)
        self.element(header, "identifier", self.identifier(resource))
        self.element(header, "datestamp", datestamp(resource.updated))
        for spec in set_specs(resource):
            self.element(header, "setSpec", spec)
        return header

    def record(self, parent, resource: Resource, prefix: str) -> None:
        record = self.element(parent, "record")
        self.header(record, resource)
        if not is_live(resource):
            return
        crosswalk = FORMATS[prefix][2]
        data = self.resources.serialize(resource)
        metadata = self.element(record, "metadata")
        metadata.append(crosswalk(data, vocab=self.vocab, base_url=self.site_url))

    @property
    def vocab(self) -> VocabLookup:
        return VocabLookup(self.vocabularies)

    # -- sets --------------------------------------------------------------------------------------
    def sets(self) -> list[tuple[str, str]]:
        vocabularies = self.vocabularies
        out = [(family, f"{zh} {en}") for family, (zh, en) in SET_FAMILIES.items()]
        for family, vocab_name in (("stage", "stages"), ("subject", "subjects")):
            out += [(f"{family}:{t.code}", f"{t.zh} {t.en}") for t in vocabularies.get(vocab_name)]
        with self.db.session() as session:
            orgs = session.execute(
                select(Organisation.code, Organisation.name).order_by(Organisation.code)
            ).all()
        out += [(f"org:{code}", name) for code, name in orgs if SET_SPEC.match(f"org:{code}")]
        return out

    def check_set(self, spec: str) -> None:
        if (
            not SET_SPEC.match(spec)
            or spec.split(":", 1)[0] not in SET_FAMILIES
            or spec.count(":") > 1
        ):
            raise OaiError("badArgument", f"Unknown set {spec!r}; see ListSets")


def set_specs(resource: Resource) -> list[str]:
    specs = [f"stage:{resource.stage}"] if resource.stage else []
    specs += [f"subject:{code}" for code in resource.subjects or ()]
    if resource.org is not None:
        specs.append(f"org:{resource.org.code}")
    return [spec for spec in specs if SET_SPEC.match(spec)]


def set_filter(spec: str):
    family, _, code = spec.partition(":")
    if family == "stage":
        return Resource.stage == code if code else Resource.stage.is_not(None)
    if family == "subject":
        if not code:
            return cast(Resource.subjects, Text).like('%"%')
        # Codes are slugs; JSON text holds them quoted on both engines ("math"), LIKE metacharacters
        # escaped.
        escaped = code.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return cast(Resource.subjects, Text).like(f'%"{escaped}"%', escape="\\")
    if not code:
        return Resource.org_id.is_not(None)
    return (
        Resource.org_id
        == select(Organisation.id).where(Organisation.code == code).scalar_subquery()
    )
