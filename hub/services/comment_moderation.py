"""Reviewers and comments: the queue of comments waiting or reported in their organisations,
publish / hide / remove, and each organisation's choice of pre- or post-moderation."""

from __future__ import annotations

from sqlalchemy import or_, select

from hub.db.models import Comment, CommentPolicy, Organisation, Resource
from hub.db.models.social import MODERATIONS
from hub.errors import Forbidden, NotFound, ValidationFailed
from hub.security.principal import Principal
from hub.services import permissions
from hub.services.comments import NOT_FOUND, comment_dict, is_id, moderation_for

QUEUE_LIMIT = 200
ACTIONS = {"publish": "visible", "hide": "hidden", "remove": "removed"}
REVIEWERS_ONLY = (
    "只有该资源所属机构的审核员可以处理评论。"
    "Only reviewers of the resource's organisation may moderate its comments."
)


class CommentModerationService:
    def __init__(self, uow):
        self.uow = uow

    def queue(self, actor: Principal, limit: int = QUEUE_LIMIT) -> list[dict]:
        """Comments waiting for review or reported, in the actor's reviewed organisations, oldest
        first; [] for anyone who reviews nothing."""
        paths = [r.org_path for r in actor.roles if r.role in permissions.REVIEWER_ROLES]
        if not paths and not actor.is_admin:
            return []
        with self.uow(actor) as uow:
            query = (
                select(Comment, Resource.id, Resource.title)
                .join(Organisation, Organisation.id == Comment.org_id)
                .join(Resource, Resource.lineage_id == Comment.lineage_id)
                .where(Resource.is_latest.is_(True))
                .where(
                    or_(
                        Comment.status == "pending",
                        (Comment.status == "visible") & (Comment.reports > 0),
                    )
                )
                .order_by(Comment.created, Comment.id)
                .limit(limit)
            )
            if not actor.is_admin:
                query = query.where(or_(*[Organisation.path.startswith(p) for p in paths]))
            rows = uow.session.execute(query).all()
            return [
                comment_dict(c, actor) | {"resource_id": rid, "resource_title": title}
                for c, rid, title in rows
            ]

    def decide(self, actor: Principal, comment_id, action: str) -> dict:
        """publish (show it, reports cleared), hide (keep it, unseen) or remove (its text erased;
        the audit log keeps what it said)."""
        if action not in ACTIONS:
            raise NotFound("未知的操作。Unknown action: use publish, hide or remove.")
        with self.uow(actor) as uow:
            comment = uow.session.get(Comment, comment_id) if is_id(comment_id) else None
            org = uow.session.get(Organisation, comment.org_id) if comment else None
            if comment is None or org is None or not actor.is_authenticated and not actor.is_admin:
                raise NotFound(NOT_FOUND)
            if not actor.has_role_over(org.path, *permissions.REVIEWER_ROLES):
                raise Forbidden(REVIEWERS_ONLY)
            uow.audit(
                f"comment.{action}", "comment", comment.id, before=comment.status, body=comment.body
            )
            comment.status = ACTIONS[action]
            if action == "publish":
                comment.reports = 0
            if action == "remove":
                comment.body = ""
            result = comment_dict(comment, actor)
            uow.commit()
            return result

    def policy(self, actor: Principal, org_code: str) -> dict:
        with self.uow(actor) as uow:
            org = self._org(uow.session, org_code)
            return {"org": org.code, "moderation": moderation_for(uow.session, org)}

    def set_policy(self, actor: Principal, org_code: str, moderation) -> dict:
        """Pre-moderation (reviewed before shown) or post (shown, reviewed when reported), for
        this organisation and those below it that have not chosen for themselves."""
        if moderation not in MODERATIONS:
            raise ValidationFailed.from_messages(
                {"moderation": ["只能是 pre 或 post。Must be pre (review first) or post."]}
            )
        with self.uow(actor) as uow:
            org = self._org(uow.session, org_code)
            if not actor.has_role_over(org.path, "org_admin"):
                raise Forbidden(
                    "只有机构管理员可以设置评论审核方式。"
                    "Only the organisation's administrators may choose how comments are reviewed."
                )
            setting = uow.session.get(CommentPolicy, org.id) or CommentPolicy(org_id=org.id)
            setting.moderation = moderation
            uow.session.add(setting)
            uow.audit("comment.policy", "organisation", org.code, moderation=moderation)
            uow.commit()
            return {"org": org.code, "moderation": moderation}

    @staticmethod
    def _org(session, code) -> Organisation:
        org = session.scalar(select(Organisation).where(Organisation.code == str(code)))
        if org is None:
            raise NotFound(f"未知机构 {code}。No organisation {code}.")
        return org
