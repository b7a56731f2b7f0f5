"""Who may read, edit and review a resource: the rules, in Python and as SQL filters."""

from __future__ import annotations

from sqlalchemy import and_, false, or_, true

from hub.db.models import Organisation, Resource
from hub.security import visibility
from hub.security.principal import Principal
from hub.security.regions import region_ancestors, region_prefix
from hub.security.visibility import RULE, Grant

EDITOR_ROLES = ("contributor", "org_admin")
REVIEWER_ROLES = ("reviewer", "org_admin")
UNPUBLISHED = ("draft", "submitted", "rejected")


def org_path(resource: Resource) -> str:
    return resource.org.path if resource.org is not None else "/"


def can_see_published(actor: Principal, resource: Resource) -> bool:
    """Visibility of a published (or withdrawn) record: the one rule in hub.security.visibility."""
    return visibility.may_see(actor, resource.visibility, resource.region, org_path(resource))


def can_edit(actor: Principal, resource: Resource) -> bool:
    # A harvest token stands for an organisation subtree, not for its owner: it edits nothing and
    # reads none of its owner's drafts.
    if (not actor.is_authenticated and not actor.is_admin) or actor.harvest_path is not None:
        return False
    if actor.is_admin:
        return True
    return resource.owner_id == actor.user_id or actor.has_role_over(
        org_path(resource), *EDITOR_ROLES
    )


def can_review(actor: Principal, resource: Resource) -> bool:
    return (
        actor.is_authenticated
        and actor.has_role_over(org_path(resource), *REVIEWER_ROLES)
        or actor.is_admin
    )


def can_read(actor: Principal, resource: Resource) -> bool:
    if resource.status in ("published", "withdrawn"):
        return can_see_published(actor, resource) or (
            resource.status == "withdrawn" and can_edit(actor, resource)
        )
    return can_edit(actor, resource) or can_review(actor, resource)


def grant_clause(grant: Grant, actor: Principal):
    """SQL reading of one grant of the visibility rule (Organisation joined on Resource.org_id)."""
    if grant is Grant.ANYONE:
        return true()
    if not actor.is_authenticated or not actor.roles:
        return false()
    if grant is Grant.MEMBER:
        return or_(*[Organisation.path.startswith(r.org_path) for r in actor.roles])
    near = []
    for code in sorted({r.region for r in actor.roles if r.region}):
        near.append(Resource.region.in_(region_ancestors(code)))  # regions containing the caller's
        near.append(Resource.region.startswith(region_prefix(code)))  # and those inside it
    return or_(*near) if near else false()


def published_visibility_clause(actor: Principal):
    """SQL: published records this caller may see (join Organisation on Resource.org_id first)."""
    if actor.is_admin:
        return true()
    return or_(
        *[
            and_(visibility_column(name), or_(*[grant_clause(g, actor) for g in grants]))
            for name, grants in RULE.items()
        ]
    )


def visibility_column(name: str):
    # The column defaults to public; a NULL reads as public everywhere else too.
    if name == "public":
        return or_(Resource.visibility == name, Resource.visibility.is_(None))
    return Resource.visibility == name


def readable_clause(actor: Principal):
    """SQL: every record the caller may read, in any status (join Organisation first)."""
    if actor.is_admin:
        return true()
    published = and_(
        Resource.status.in_(("published", "withdrawn")), published_visibility_clause(actor)
    )
    if not actor.is_authenticated or actor.harvest_path is not None:
        return published
    staff_paths = [r.org_path for r in actor.roles if r.role in EDITOR_ROLES + REVIEWER_ROLES]
    own = Resource.owner_id == actor.user_id
    staff = or_(*[Organisation.path.startswith(p) for p in staff_paths]) if staff_paths else false()
    return or_(published, own, staff)
