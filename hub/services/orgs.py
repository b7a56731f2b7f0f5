"""Organisations: the school-county-city-province tree (and alliances), and who may grow it."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from hub.db.models.accounts import ORG_KINDS, Organisation
from hub.errors import Conflict, Forbidden, NotFound, Unauthenticated, ValidationFailed
from hub.security import scopes as scope_rules
from hub.security.principal import Principal, region_within
from hub.services import permissions

CODE_RE = re.compile(r"[A-Za-z0-9_.-]{2,64}")
# A non-alliance organisation sits under one of a higher rank; alliances may sit anywhere.
RANK = {"school": 1, "county": 2, "city": 3, "province": 4}
ALLIANCE_CHILDREN = ("school", "alliance")


def require_authenticated(actor: Principal) -> None:
    if not actor.is_authenticated and not actor.is_admin:
        raise Unauthenticated("请先登录或提供有效的令牌。Please log in or send a valid API token.")


def org_by_code(session: Session, code: str) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.code == code)) if code else None
    if org is None:
        raise NotFound(
            f"没有代码为 '{code}' 的机构，"
            f"请用 `eduhub orgs list` 或 GET /api/v1/orgs 查看可用代码。"
            f"No organisation has the code '{code}': list the codes with `eduhub orgs list` "
            f"or GET /api/v1/orgs."
        )
    return org


def org_to_dict(org: Organisation) -> dict:
    return {
        "id": org.id,
        "code": org.code,
        "name": org.name,
        "kind": org.kind,
        "parent": org.parent.code if org.parent is not None else None,
        "region": org.region,
        "path": org.path,
        "depth": org.path.count("/") - 2,
        "created": org.created,
    }


def nest(orgs: list[dict]) -> list[dict]:
    """Flat dicts (ordered by path) into a forest; an org whose parent is not listed is a root."""
    by_code = {o["code"]: {**o, "children": []} for o in orgs}
    roots = []
    for node in by_code.values():
        parent = by_code.get(node["parent"])
        (parent["children"] if parent is not None else roots).append(node)
    return roots


def _field_error(field: str, message: str) -> ValidationFailed:
    return ValidationFailed.from_messages({field: [message]})


def validate_new_org(code: str, name: str, kind: str) -> None:
    if not isinstance(code, str) or not CODE_RE.fullmatch(code):
        raise _field_error(
            "code",
            "机构代码须为 2-64 个英文字母、数字或 _ . -，例如 nx-yc-xq-01。"
            "The code must be 2-64 ASCII letters, digits, '_', '.' or '-', e.g. nx-yc-xq-01.",
        )
    if not (name or "").strip() or len(name) > 200:
        raise _field_error(
            "name",
            "请填写机构名称（不超过 200 字）。"
            "Give the organisation a name (at most 200 characters).",
        )
    if kind not in ORG_KINDS:
        kinds = ", ".join(ORG_KINDS)
        raise _field_error(
            "kind", f"机构类型须为以下之一：{kinds}。The kind must be one of: {kinds}."
        )


def check_placement(kind: str, parent: Organisation | None) -> None:
    """A school sits under a county, city or province; a county under a city or province..."""
    if parent is None or kind == "alliance":
        return
    if parent.kind == "alliance":
        allowed = kind in ALLIANCE_CHILDREN
    else:
        allowed = RANK[parent.kind] > RANK[kind]
    if not allowed:
        raise _field_error(
            "parent",
            f"类型为 {kind} 的机构不能隶属于类型为 {parent.kind} 的机构 '{parent.code}'，"
            f"请选择更高一级的上级机构。An organisation of kind '{kind}' cannot sit under "
            f"'{parent.code}' (kind '{parent.kind}'); choose a parent of a higher level.",
        )


def check_region_placement(
    actor: Principal, region: str | None, parent: Organisation | None
) -> None:
    """A child's region equals or lies inside its parent's; only administrators place one elsewhere.

    Otherwise an org_admin of one school could found a province-wide "alliance" under it and read
    every region-visible record in the province through its members.
    """
    if actor.is_admin or region is None:
        return
    if parent is None or not parent.region or not region_within(region, parent.region):
        outer = (parent.region if parent is not None else None) or "-"
        raise Forbidden(
            f"机构的行政区划须与上级机构（{outer}）相同或位于其内，其他区划只能由管理员设置。"
            f"An organisation's region must equal or lie inside its parent's ({outer}); "
            f"ask an administrator for any other.",
            errors=[{"field": "region", "messages": ["outside the parent's region"]}],
        )


class OrgOperations:
    """Mixed into AccountService: uses its uow factory, database, configuration and vocabularies."""

    def create_org(
        self,
        actor: Principal,
        *,
        code: str,
        name: str,
        kind: str = "school",
        parent: str | None = None,
        region: str | None = None,
    ) -> dict:
        require_authenticated(actor)
        validate_new_org(code, name, kind)
        with self.uow(actor) as uow:
            parent_org = org_by_code(uow.session, parent) if parent else None
            self._check_may_create_org(actor, parent_org)
            check_placement(kind, parent_org)
            region = region or (parent_org.region if parent_org is not None else None)
            self.check_region(region)
            check_region_placement(actor, region, parent_org)
            if (
                uow.session.scalar(select(Organisation.id).where(Organisation.code == code))
                is not None
            ):
                raise _duplicate_code(code)
            org = Organisation(
                code=code, name=name.strip(), kind=kind, parent=parent_org, region=region, path="/"
            )
            uow.session.add(org)
            uow.session.flush()  # the id makes the path
            org.path = (parent_org.path if parent_org is not None else "/") + f"{org.id}/"
            uow.audit(
                "org.create", "org", code, name=org.name, kind=kind, parent=parent, region=region
            )
            result = org_to_dict(org)
            try:
                uow.commit()
            except IntegrityError:
                raise _duplicate_code(code) from None
            return result

    def list_orgs(
        self, actor: Principal | None = None, *, parent: str | None = None, kind: str | None = None
    ) -> list[dict]:
        """Flat, ordered by tree position; `parent` limits to that organisation's descendants."""
        with self.db.session() as session:
            query = select(Organisation).options(selectinload(Organisation.parent))
            if parent:
                query = query.where(
                    Organisation.path.like(org_by_code(session, parent).path + "_%")
                )
            if kind:
                query = query.where(Organisation.kind == kind)
            orgs = session.scalars(query.order_by(Organisation.path)).all()
            return [org_to_dict(o) for o in orgs]

    def count_orgs(self) -> int:
        """How many organisations the hub has (one COUNT, for the admin dashboard)."""
        with self.db.session() as session:
            return session.scalar(select(func.count()).select_from(Organisation))

    def editor_orgs(self, actor: Principal) -> list[tuple[str, str]]:
        """(code, name) of the organisations the actor may add resources to (the upload form)."""
        ids = [r.org_id for r in actor.roles if r.role in permissions.EDITOR_ROLES]
        with self.db.session() as session:
            rows = session.execute(
                select(Organisation.code, Organisation.name).where(Organisation.id.in_(ids))
            )
            return [(code, name) for code, name in rows]

    def get_org(self, code: str) -> dict:
        with self.db.session() as session:
            return org_to_dict(org_by_code(session, code))

    def org_id_by_code(self, session: Session, code: str) -> Organisation:
        """The organisation row (despite the name) in the caller's session, or NotFound."""
        return org_by_code(session, code)

    def check_region(self, region: str | None) -> None:
        if region is not None and region not in self.vocabularies.get("regions"):
            raise _field_error(
                "region",
                f"未知的行政区划代码 '{region}'，请用 GET /api/v1/vocabularies/regions 查看。"
                f"Unknown region code '{region}': see GET /api/v1/vocabularies/regions.",
            )

    @staticmethod
    def _check_may_create_org(actor: Principal, parent: Organisation | None) -> None:
        scope_rules.require(actor.scopes, "admin")
        if actor.is_admin:
            return
        if parent is None or not actor.has_role_over(parent.path, "org_admin"):
            raise Forbidden(
                "只有管理员或上级机构的管理员可以创建机构。"
                "Only an administrator, or an org_admin of the parent organisation, can create it."
            )


def _duplicate_code(code: str) -> Conflict:
    return Conflict(
        f"机构代码 '{code}' 已被使用，请换一个代码。"
        f"The organisation code '{code}' is taken; choose another.",
        errors=[{"field": "code", "messages": ["already exists"]}],
    )
