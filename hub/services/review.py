"""The review queue: submissions a reviewer may decide on, each with what changed since the previous
version."""

from __future__ import annotations

from sqlalchemy import select

from hub.db.models import Organisation, Resource
from hub.errors import Forbidden
from hub.security.principal import Principal
from hub.services import permissions, records

QUEUE_LIMIT = 200


class ReviewService:
    def __init__(self, uow, resources):
        self.uow, self.resources = uow, resources

    def queue(self, actor: Principal, *, limit: int = QUEUE_LIMIT) -> list[dict]:
        """Submitted records in the reviewer's organisations (and those below), oldest first: first
        come, first seen."""
        if not actor.is_admin and not any(
            r.role in permissions.REVIEWER_ROLES for r in actor.roles
        ):
            raise Forbidden("只有审核员可以查看审核队列。Only reviewers can see the review queue.")
        with self.uow(actor) as uow:
            rows = uow.session.scalars(
                select(Resource)
                .join(Organisation, Resource.org_id == Organisation.id)
                .where(Resource.status == "submitted", permissions.readable_clause(actor))
                .order_by(Resource.updated)
                .limit(limit)
            ).all()
            out = []
            for resource in rows:
                if not permissions.can_review(actor, resource):
                    continue  # readable (e.g. as a contributor) is not enough to decide on it
                previous = (
                    uow.session.get(Resource, resource.previous_id)
                    if resource.previous_id
                    else None
                )
                out.append(
                    {
                        "record": self.resources.serialize(resource, uow.session),
                        "changes": field_diff(previous, resource),
                    }
                )
            return out


def field_diff(previous: Resource | None, current: Resource) -> list[dict]:
    """[{field, before, after}] for every described field (and the file list) that differs; [] for a
    first version."""
    if previous is None:
        return []
    changes = []
    for name in records.EDITABLE_FIELDS:
        before, after = getattr(previous, name), getattr(current, name)
        if (before or None) != (after or None):
            changes.append({"field": name, "before": before, "after": after})
    before_files = sorted((f.name, f.sha256) for f in previous.files)
    after_files = sorted((f.name, f.sha256) for f in current.files)
    if before_files != after_files:
        changes.append(
            {
                "field": "files",
                "before": [n for n, _ in before_files],
                "after": [n for n, _ in after_files],
            }
        )
    return changes
