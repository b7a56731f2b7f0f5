"""Resources: create, read, update and withdraw, with visibility enforced on every read."""

from __future__ import annotations

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db.base import new_id, utcnow
from hub.db.models import Organisation, Resource
from hub.db.models.sources import Source
from hub.errors import (
    Forbidden,
    Gone,
    NotFound,
    PreconditionFailed,
    Unauthenticated,
    ValidationFailed,
)
from hub.security.principal import Principal
from hub.services import permissions, provenance, records
from hub.services.defaults import new_resource_defaults
from hub.services.harvested import HarvestedMixin
from hub.services.workflow import WorkflowMixin
from hub.tasks.topics import Topic
from metadata.schema import ResourceInputSchema, consistency_errors

NOT_FOUND = "未找到该资源，或您无权查看。No such resource, or you may not see it."


class ResourceService(WorkflowMixin, HarvestedMixin):
    def __init__(self, uow):
        self.uow = uow

    # -- validation --------------------------------------------------------------------------------
    def validate(self, data: dict, *, partial: bool = False) -> dict:

        if not isinstance(data, dict):
            raise ValidationFailed("请求体应为 JSON 对象。The body must be a JSON object.")
        try:
            return ResourceInputSchema(partial=partial).load(data)
        except ValidationError as exc:
            raise ValidationFailed.from_messages(exc.messages) from None

    # -- reads -------------------------------------------------------------------------------------
    def get(self, actor: Principal, resource_id: str) -> dict:
        with self.uow(actor) as uow:
            resource = self.load_readable(uow.session, actor, resource_id)
            return self.serialize(resource, uow.session)

    def load_readable(self, session: Session, actor: Principal, resource_id: str) -> Resource:
        resource = session.get(Resource, resource_id) if isinstance(resource_id, str) else None
        if resource is None or not permissions.can_read(actor, resource):
            raise NotFound(NOT_FOUND)
        if resource.status == "withdrawn" and not permissions.can_edit(actor, resource):
            raise Gone(
                "该资源已撤回。This resource has been withdrawn.",
                tombstone=records.tombstone(resource),
            )
        return resource

    def serialize(self, resource: Resource, session: Session | None = None) -> dict:
        record = records.serialize(resource, self.source_name(session, resource.source_id))
        if session is None:
            return record
        return provenance.annotate(session, resource, record)  # paths, work, also from

    def source_name(self, session: Session | None, source_id: int | None) -> str | None:
        if source_id is None or session is None:
            return None
        return session.scalar(select(Source.name).where(Source.id == source_id))

    def versions(self, actor: Principal, resource_id: str) -> list[dict]:
        with self.uow(actor) as uow:
            resource = self.load_readable(uow.session, actor, resource_id)
            rows = uow.session.scalars(
                select(Resource)
                .where(Resource.lineage_id == resource.lineage_id)
                .order_by(Resource.version)
            ).all()
            return [
                {
                    "id": r.id,
                    "version": r.version,
                    "status": r.status,
                    "published": records.isoformat(r.published),
                }
                for r in rows
                if permissions.can_read(actor, r)
            ]

    def list_mine(
        self, actor: Principal, *, status: str | None = None, limit: int = 200
    ) -> list[dict]:
        self._require_user(actor)
        with self.uow(actor) as uow:
            query = select(Resource).where(Resource.owner_id == actor.user_id)
            if status:
                query = query.where(Resource.status == status)
            rows = uow.session.scalars(query.order_by(Resource.updated.desc()).limit(limit)).all()
            return [self.serialize(r, uow.session) for r in rows]

    # -- writes ------------------------------------------------------------------------------------
    def create(self, actor: Principal, data: dict) -> dict:
        self._require_user(actor)
        data = self.validate(data)
        with self.uow(actor) as uow:
            org = self._target_org(uow.session, actor, data.get("org"))
            resource = Resource(
                **{
                    **new_resource_defaults(),
                    "id": new_id(),
                    "status": "draft",
                    "org_id": org.id,
                    "owner_id": actor.user_id,
                    "revision": 1,
                }
            )
            resource.lineage_id = resource.id
            resource.org = org
            records.apply_fields(resource, data)
            resource.region = resource.region or org.region
            uow.session.add(resource)
            uow.session.flush()
            uow.audit(
                "resource.create", "resource", resource.id, title=resource.title, org=org.code
            )
            record = self.serialize(resource, uow.session)
            uow.commit()
            return record

    def update(
        self, actor: Principal, resource_id: str, data: dict, *, if_match: int | None = None
    ) -> dict:
        self._require_user(actor)
        data = self.validate(data, partial=True)
        with self.uow(actor) as uow:
            resource = self.load_editable(uow.session, actor, resource_id)
            if if_match is not None and if_match != resource.revision:
                raise PreconditionFailed(
                    f"资源已被他人修改（当前版本 {resource.revision}），请重新获取后再改。"
                    f"The resource changed since you read it (revision now {resource.revision}); "
                    "fetch it again."
                )
            if "org" in data and data["org"] != resource.org.code:
                raise ValidationFailed.from_messages(
                    {"org": ["资源创建后不能更换机构。The organisation cannot change."]}
                )
            if records.apply_fields(resource, data):
                self._check_consistency(resource)
                self.touch(resource)
                uow.audit(
                    "resource.update",
                    "resource",
                    resource.id,
                    fields=sorted(k for k in data if k != "org"),
                )
                uow.outbox(Topic.RESOURCE_INDEX, id=resource.id)
            record = self.serialize(resource, uow.session)
            uow.commit()
            return record

    def withdraw(self, actor: Principal, resource_id: str, *, comment: str | None = None) -> dict:
        self._require_user(actor)
        with self.uow(actor) as uow:
            resource = self.load_readable(uow.session, actor, resource_id)
            if not permissions.can_edit(actor, resource):
                raise Forbidden(
                    "只有资源所属机构的贡献者或管理员可以撤回。"
                    "Only contributors of its organisation may withdraw it."
                )
            self._refuse_harvested(resource)
            was_published = resource.status == "published"
            resource.status = "withdrawn"
            resource.review_comment = comment or resource.review_comment
            self.touch(resource)
            uow.audit("resource.withdraw", "resource", resource.id, comment=comment)
            uow.outbox(Topic.RESOURCE_INDEX, id=resource.id)
            if was_published:
                uow.change(resource.id, "delete")
            record = records.tombstone(resource)
            uow.commit()
            return record

    # -- helpers -----------------------------------------------------------------------------------
    def load_editable(self, session: Session, actor: Principal, resource_id: str) -> Resource:
        resource = self.load_readable(session, actor, resource_id)
        if not permissions.can_edit(actor, resource):
            raise Forbidden(
                "只有资源所属机构的贡献者可以修改。"
                "Only contributors of its organisation may change it."
            )
        self._refuse_harvested(resource)
        if resource.status not in ("draft", "rejected"):
            raise ValidationFailed(
                f"状态为 {resource.status} 的资源不能修改；请先创建新版本（new-version）。"
                f"A {resource.status} resource cannot be changed; "
                "start a new version (actions/new-version) first."
            )
        return resource

    @staticmethod
    def _check_consistency(resource: Resource) -> None:

        problems = consistency_errors(
            {name: getattr(resource, name) for name in records.EDITABLE_FIELDS}
        )
        if problems:
            raise ValidationFailed.from_messages(problems)

    @staticmethod
    def touch(resource: Resource) -> None:
        resource.revision = (resource.revision or 0) + 1
        resource.updated = utcnow()

    @staticmethod
    def _refuse_harvested(resource: Resource) -> None:
        if resource.source_id is not None:
            raise Forbidden(
                "这是从其他平台同步来的资源，请在来源处修改。"
                "This record was harvested from another source; change it there."
            )

    @staticmethod
    def _require_user(actor: Principal) -> None:
        if not actor.is_authenticated and not actor.is_admin:
            raise Unauthenticated(
                "请先登录或提供有效的令牌。Please log in or send a valid API token."
            )

    def _target_org(self, session: Session, actor: Principal, code: str | None) -> Organisation:
        if code:
            org = session.scalar(select(Organisation).where(Organisation.code == code))
            if org is None:
                raise ValidationFailed.from_messages(
                    {"org": [f"未知机构代码 {code}。Unknown organisation code {code}."]}
                )
        else:
            editor_orgs = {r.org_id for r in actor.roles if r.role in permissions.EDITOR_ROLES}
            if len(editor_orgs) != 1:
                raise ValidationFailed.from_messages(
                    {
                        "org": [
                            "请用 org 字段指明资源所属机构。"
                            "Say which organisation the resource belongs to in the org field."
                        ]
                    }
                )
            org = session.get(Organisation, editor_orgs.pop())
        if not actor.has_role_over(org.path, *permissions.EDITOR_ROLES):
            raise Forbidden(
                f"您不是机构 {org.code} 的贡献者。You are not a contributor of {org.code}."
            )
        return org
