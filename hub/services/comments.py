"""Comments on a resource (all its versions): written by teachers who may read it, shown at once or
after review as the resource's organisation asks, reportable by any reader."""

from __future__ import annotations

import unicodedata

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hub.db.models import Comment, CommentPolicy, CommentReport, Organisation, Resource
from hub.errors import NotFound, ValidationFailed
from hub.security.principal import Principal
from hub.services.favourites import require_user
from hub.services.ratings import load_published

MAX_BODY = 2000
MAX_REASON = 500
PAGE = 100
LOGIN = "请先登录再评论。Log in (or send an API token) to comment."
NOT_FOUND = "没有这条评论，或您无权查看。No such comment, or you may not see it."


def clean_text(value, field: str, limit: int, *, required: bool) -> str:
    """Plain text: no NUL or other control characters but line breaks, at most `limit`."""
    if not isinstance(value, str):
        raise ValidationFailed.from_messages({field: ["应为文字。Must be text."]})
    value = "".join(c for c in value if c in "\n\t" or unicodedata.category(c) != "Cc").strip()
    if required and not value:
        raise ValidationFailed.from_messages({field: ["不能为空。Write something first."]})
    if len(value) > limit:
        raise ValidationFailed.from_messages(
            {field: [f"最多 {limit} 个字。At most {limit} characters: shorten it."]}
        )
    return value


def comment_dict(comment: Comment, actor: Principal) -> dict:
    author = comment.author
    return {
        "id": comment.id,
        "lineage_id": comment.lineage_id,
        "body": comment.body,
        "status": comment.status,
        "reports": comment.reports,
        "author": (author.name if author and author.name else "一位老师 A teacher"),
        "mine": actor.is_authenticated and comment.author_id == actor.user_id,
        "created": comment.created.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def moderation_for(session: Session, org: Organisation | None) -> str:
    """The nearest setting on the organisation's path (itself first); none anywhere: post."""
    if org is None:
        return "post"
    path_ids = [int(i) for i in org.path.split("/") if i] or [org.id]
    found = dict(
        session.execute(
            select(CommentPolicy.org_id, CommentPolicy.moderation).where(
                CommentPolicy.org_id.in_(path_ids)
            )
        ).all()
    )
    for org_id in reversed(path_ids):
        if org_id in found:
            return found[org_id]
    return "post"


def latest_resource(session: Session, lineage_id: str) -> Resource | None:
    return session.scalar(
        select(Resource).where(Resource.lineage_id == lineage_id, Resource.is_latest.is_(True))
    )


class CommentService:
    """Comments in the database (`uow`), resources read through `resources`, each user's pace kept
    by `pace`."""

    def __init__(self, uow, resources, pace):
        self.uow, self.resources, self.pace = uow, resources, pace

    def list(self, actor: Principal, resource_id: str) -> list[dict]:
        """The shown comments, oldest first, and the actor's own still waiting for review."""
        with self.uow(actor) as uow:
            resource = self.resources.load_readable(uow.session, actor, resource_id)
            shown = Comment.status == "visible"
            if actor.is_authenticated:
                own = (Comment.author_id == actor.user_id) & (Comment.status == "pending")
                shown = or_(shown, own)
            rows = uow.session.scalars(
                select(Comment)
                .where(Comment.lineage_id == resource.lineage_id, shown)
                .order_by(Comment.created, Comment.id)
                .limit(PAGE)
            ).all()
            return [comment_dict(c, actor) for c in rows]

    def post(self, actor: Principal, resource_id: str, body) -> dict:
        require_user(actor, LOGIN)
        body = clean_text(body, "body", MAX_BODY, required=True)
        with self.uow(actor) as uow:
            resource = load_published(self.resources, uow.session, actor, resource_id)
            self.pace.hit("comment", actor.user_id)
            moderation = moderation_for(uow.session, resource.org)
            comment = Comment(
                lineage_id=resource.lineage_id,
                org_id=resource.org_id,
                author_id=actor.user_id,
                body=body,
                status="pending" if moderation == "pre" else "visible",
                reports=0,
            )
            uow.session.add(comment)
            uow.session.flush()
            uow.audit("comment.create", "comment", comment.id, resource=resource.id)
            result = comment_dict(comment, actor)
            uow.commit()
            return result

    def report(self, actor: Principal, comment_id, reason="") -> dict:
        """Flag a shown comment for the reviewers; reporting it again changes nothing."""
        require_user(actor, LOGIN)
        reason = clean_text(reason or "", "reason", MAX_REASON, required=False)
        with self.uow(actor) as uow:
            comment = self.load_readable(uow.session, actor, comment_id)
            if uow.session.get(CommentReport, (comment.id, actor.user_id)) is None:
                self.pace.hit("report", actor.user_id)
                uow.session.add(
                    CommentReport(comment_id=comment.id, user_id=actor.user_id, reason=reason)
                )
                comment.reports = (comment.reports or 0) + 1
                uow.audit("comment.report", "comment", comment.id, reason=reason)
            result = comment_dict(comment, actor)
            uow.commit()
            return result

    def on_own_resources(self, actor: Principal, limit: int = 50) -> list[dict]:
        """Recent comments on the actor's own resources, shown or waiting, with their titles."""
        if not actor.is_authenticated:
            return []
        with self.uow(actor) as uow:
            rows = uow.session.execute(
                select(Comment, Resource.id, Resource.title)
                .join(Resource, Resource.lineage_id == Comment.lineage_id)
                .where(
                    Resource.owner_id == actor.user_id,
                    Resource.is_latest.is_(True),
                    Comment.status.in_(("visible", "pending")),
                )
                .order_by(Comment.created.desc())
                .limit(limit)
            ).all()
            return [
                comment_dict(c, actor) | {"resource_id": rid, "resource_title": title}
                for c, rid, title in rows
            ]

    def load_readable(self, session: Session, actor: Principal, comment_id) -> Comment:
        """A shown comment on a resource the actor may read (else 404)."""
        comment = session.get(Comment, comment_id) if is_id(comment_id) else None
        resource = latest_resource(session, comment.lineage_id) if comment else None
        if comment is None or resource is None or comment.status != "visible":
            raise NotFound(NOT_FOUND)
        self.resources.load_readable(session, actor, resource.id)  # 404 when not readable
        return comment


def is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31
