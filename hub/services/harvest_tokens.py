"""Harvest tokens bound to an organisation subtree: who may issue one, and the caller it makes.

A parent hub harvesting a child reads, through the changes feed and OAI-PMH, every record the
members of one organisation subtree may read. The token's principal is therefore not its owner
but that subtree: a member of the subtree's root, plus one role per region found in the subtree
(a school's region-only record is readable by its members), with the `harvest` scope alone.
"""

from __future__ import annotations

from sqlalchemy import select

from hub.db.models.accounts import ApiToken, Organisation
from hub.errors import Forbidden, ValidationFailed
from hub.security.principal import Principal, Role

HARVEST_ONLY = frozenset({"harvest"})
HARVEST_ROLE = "harvester"  # no service grants anything to this role name: it only reads


def check_binding(
    actor: Principal, owner: Principal, org: Organisation, scopes: frozenset[str]
) -> None:
    """An organisation-bound token has the harvest scope alone, and both its issuer and its owner
    are administrators or org_admins of that organisation (or of one above it)."""
    if scopes != HARVEST_ONLY:
        raise ValidationFailed.from_messages(
            {
                "scopes": [
                    "绑定机构的令牌只能具有 harvest 权限。"
                    "A token bound to an organisation has the 'harvest' scope alone: ask for "
                    "--scope harvest."
                ]
            }
        )
    if not (
        actor.has_role_over(org.path, "org_admin") and owner.has_role_over(org.path, "org_admin")
    ):
        raise Forbidden(
            f"只有管理员或机构 {org.code} 的机构管理员可以为其签发收割令牌。"
            f"Only an administrator or an org_admin of '{org.code}' (or of an organisation above "
            "it) can issue a harvest token for it."
        )


def harvest_principal(session, token: ApiToken, *, ip: str | None = None) -> Principal:
    """The caller a bound harvest token stands for: its organisation subtree, reading only."""
    root = token.org
    regions = session.scalars(
        select(Organisation.region)
        .where(Organisation.path.startswith(root.path), Organisation.region.is_not(None))
        .distinct()
    ).all()
    roles = [Role(org_id=root.id, org_path=root.path, region=root.region, role=HARVEST_ROLE)]
    roles += [
        Role(org_id=root.id, org_path=root.path, region=region, role=HARVEST_ROLE)
        for region in sorted(set(regions) - {root.region})
    ]
    return Principal(
        user_id=token.user_id,
        email=token.user.email,
        roles=tuple(roles),
        ip=ip,
        name=token.name or token.user.name,
        scopes=HARVEST_ONLY,
        token_expires=token.expires,
        harvest_path=root.path,
    )
