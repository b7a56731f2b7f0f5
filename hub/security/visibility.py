"""The one visibility rule for published records; Python, SQL and search each read it from here.

`RULE` says, per visibility, which grants let a caller see a record. Administrators see everything;
every other caller needs one grant of the record's visibility. The three readings are `may_see`
(below), `hub.services.permissions.published_visibility_clause` (SQL) and
`hub.search.plan.visibility_node` (the search filter); a property test holds them equal.
"""

from __future__ import annotations

from enum import StrEnum

from hub.security.principal import Principal, region_within


class Grant(StrEnum):
    ANYONE = "anyone"  # every caller, signed in or not
    # A signed-in caller with a role in a region that contains the record's region or lies inside
    # it. A record with no region is in no region: only its organisation's members see it.
    NEAR_REGION = "near_region"
    MEMBER = "member"  # a signed-in member of the record's organisation or of one above it


RULE: dict[str, tuple[Grant, ...]] = {
    "public": (Grant.ANYONE,),
    "region": (Grant.NEAR_REGION, Grant.MEMBER),
    "org": (Grant.MEMBER,),
}


def grants_for(visibility: str | None) -> tuple[Grant, ...]:
    """The grants of a visibility; an unknown one has none (administrators only)."""
    return RULE.get(visibility or "public", ())


def regions_near(actor_region: str, record_region: str) -> bool:
    """Region codes nest by prefix: either contains the other."""
    return region_within(actor_region, record_region) or region_within(record_region, actor_region)


def holds(grant: Grant, actor: Principal, region: str | None, org_path: str) -> bool:
    if grant is Grant.ANYONE:
        return True
    if not actor.is_authenticated:
        return False
    if grant is Grant.NEAR_REGION:
        return bool(region) and any(
            r.region and regions_near(r.region, region) for r in actor.roles
        )
    return any(org_path.startswith(r.org_path) for r in actor.roles)


def may_see(actor: Principal, visibility: str | None, region: str | None, org_path: str) -> bool:
    """Python reading: may `actor` see a published record with these attributes?"""
    if actor.is_admin:
        return True
    return any(holds(g, actor, region, org_path) for g in grants_for(visibility))
