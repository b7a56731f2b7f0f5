"""The review workflow: draft -> submitted -> published or rejected, and new versions of published
records."""

from __future__ import annotations

from sqlalchemy import select

from hub.db.base import new_id, utcnow
from hub.db.models import Resource, ResourceFile
from hub.errors import Conflict, Forbidden, NotFound, ValidationFailed
from hub.security.principal import Principal
from hub.services import permissions, records
from hub.services.defaults import new_resource_defaults
from hub.tasks.topics import Topic
from metadata import majors

ACTIONS = ("submit", "publish", "reject", "new-version")
# Fields a record must have before it can go to review; a teacher filters on every one of them.
# Vocational and higher-education stages need majors where school stages need subjects.
REQUIRED_FOR_REVIEW = ("stage", "subjects", "type", "license")
MAX_COMMENT = 2000


class WorkflowMixin:
    def act(
        self, actor: Principal, resource_id: str, action: str, *, comment: str | None = None
    ) -> dict:
        if action not in ACTIONS:
            raise NotFound(
                f"未知操作 {action}；可用：{', '.join(ACTIONS)}。"
                f"Unknown action; use one of {', '.join(ACTIONS)}."
            )
        self._require_user(actor)
        comment = self._clean_comment(comment)
        with self.uow(actor) as uow:
            resource = self.load_readable(uow.session, actor, resource_id)
            handler = getattr(self, "_" + action.replace("-", "_"))
            result = handler(uow, actor, resource, comment)
            record = self.serialize(result, uow.session)
            uow.commit()
            return record

    def _submit(self, uow, actor, resource, comment):
        if not permissions.can_edit(actor, resource):
            raise Forbidden(
                "只有资源所属机构的贡献者可以提交审核。"
                "Only contributors of its organisation may submit it."
            )
        self._refuse_harvested(resource)
        self._expect_status(resource, ("draft", "rejected"), "submit")
        required = majors.required_for_review(resource.stage, REQUIRED_FOR_REVIEW)
        missing = [f for f in required if not getattr(resource, f)]
        problems = {
            f: ["提交审核前请填写此项。Fill this in before submitting for review."] for f in missing
        }
        if not resource.files:
            problems["files"] = [
                "提交审核前请至少上传一个文件。Upload at least one file before submitting."
            ]
        if problems:
            raise ValidationFailed.from_messages(
                problems,
                "资源还不完整，不能提交审核。The resource is not complete enough to submit.",
            )
        resource.status = "submitted"
        self.touch(resource)
        uow.audit("resource.submit", "resource", resource.id, comment=comment)
        return resource

    def _publish(self, uow, actor, resource, comment):
        self._require_reviewer(actor, resource)
        self._expect_status(resource, ("submitted",), "publish")
        resource.status = "published"
        resource.published = utcnow()
        resource.review_comment = comment
        resource.is_latest = True
        self.touch(resource)
        self._supersede_previous(uow, resource)
        uow.audit("resource.publish", "resource", resource.id, comment=comment)
        uow.outbox(Topic.RESOURCE_INDEX, id=resource.id)
        uow.change(resource.id, "upsert")
        return resource

    def _reject(self, uow, actor, resource, comment):
        self._require_reviewer(actor, resource)
        self._expect_status(resource, ("submitted",), "reject")
        if not comment:
            raise ValidationFailed.from_messages(
                {
                    "comment": [
                        "退回时请说明原因，以便贡献者修改。Say why, so the contributor can fix it."
                    ]
                }
            )
        resource.status = "rejected"
        resource.review_comment = comment
        self.touch(resource)
        uow.audit("resource.reject", "resource", resource.id, comment=comment)
        return resource

    def _new_version(self, uow, actor, resource, comment):
        if not permissions.can_edit(actor, resource):
            raise Forbidden(
                "只有资源所属机构的贡献者可以创建新版本。"
                "Only contributors of its organisation may version it."
            )
        self._refuse_harvested(resource)
        self._expect_status(resource, ("published",), "new-version")
        open_version = uow.session.scalar(
            select(Resource.id).where(
                Resource.lineage_id == resource.lineage_id,
                Resource.status.in_(("draft", "submitted", "rejected")),
            )
        )
        if open_version:
            raise Conflict(
                f"已有未发布的新版本 {open_version}，请继续编辑它。"
                f"An unpublished version {open_version} already exists; continue with that one."
            )
        latest = uow.session.scalar(
            select(Resource.version)
            .where(Resource.lineage_id == resource.lineage_id)
            .order_by(Resource.version.desc())
            .limit(1)
        )
        draft = self._copy_as_draft(resource, actor, latest + 1)
        uow.session.add(draft)
        uow.session.flush()
        uow.audit(
            "resource.new_version",
            "resource",
            draft.id,
            previous=resource.id,
            version=draft.version,
        )
        return draft

    def _copy_as_draft(self, resource: Resource, actor: Principal, version: int) -> Resource:
        draft = Resource(
            **{
                **new_resource_defaults(),
                "id": new_id(),
                "lineage_id": resource.lineage_id,
                "version": version,
                "previous_id": resource.id,
                "status": "draft",
                "revision": 1,
                "org_id": resource.org_id,
                "owner_id": actor.user_id,
                "is_latest": False,
            }
        )
        draft.org = resource.org
        records.apply_fields(
            draft, {name: getattr(resource, name) for name in records.EDITABLE_FIELDS}
        )
        draft.files = [
            ResourceFile(
                name=f.name, sha256=f.sha256, size=f.size, mimetype=f.mimetype, position=f.position
            )
            for f in resource.files
        ]
        return draft

    def _supersede_previous(self, uow, resource: Resource) -> None:
        """A newly published version replaces the earlier ones in search and in the feed."""
        earlier = uow.session.scalars(
            select(Resource).where(
                Resource.lineage_id == resource.lineage_id,
                Resource.id != resource.id,
                Resource.is_latest.is_(True),
            )
        ).all()
        for old in earlier:
            old.is_latest = False
            self.touch(old)
            uow.outbox(Topic.RESOURCE_INDEX, id=old.id)
            if old.status == "published":
                uow.change(old.id, "delete")  # superseded: followers drop it for the new version

    @staticmethod
    def _require_reviewer(actor: Principal, resource: Resource) -> None:
        if not permissions.can_review(actor, resource):
            raise Forbidden(
                "只有该机构或上级机构的审核员可以审核。"
                "Only reviewers of this organisation or above may review it."
            )

    @staticmethod
    def _expect_status(resource: Resource, allowed: tuple, action: str) -> None:
        if resource.status not in allowed:
            raise Conflict(
                f"状态为 {resource.status} 的资源不能执行 {action}（需要：{'/'.join(allowed)}）。"
                f"A {resource.status} resource cannot {action}; it must be {' or '.join(allowed)}."
            )

    @staticmethod
    def _clean_comment(comment) -> str | None:
        if comment is None:
            return None
        if not isinstance(comment, str):
            raise ValidationFailed.from_messages({"comment": ["应为文本。Must be text."]})
        comment = comment.strip()
        if len(comment) > MAX_COMMENT:
            raise ValidationFailed.from_messages(
                {"comment": [f"最多 {MAX_COMMENT} 字。At most {MAX_COMMENT} characters."]}
            )
        return comment or None
