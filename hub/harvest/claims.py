"""What a source may claim of who reads its records: checked before a harvested record is applied.

A child hub harvested with a harvest token sends region- and org-visible records with their
visibility and region; the parent keeps both (the one rule in `hub.security.visibility` then
decides who sees them). A child may not widen a record's audience beyond its own place in the tree:
a record that is not public must lie in the region of the organisation the source belongs to here.
A refused record fails alone, with its reason; the run goes on.
"""

from __future__ import annotations

from connectors.base import Failed, Upsert
from hub.harvest.runs import payload_of
from hub.security.regions import region_within
from hub.security.visibility import RULE


def checked(item, source_region: str | None):
    """The item, or a Failed item saying why its visibility claim is refused."""
    if not isinstance(item, Upsert):
        return item
    reason = claim_problem(item.record, source_region)
    if reason is None:
        return item
    return Failed(item.external_id, reason, payload_of(item), item.cursor_after)


def claim_problem(record: dict, source_region: str | None) -> str | None:
    visibility = record.get("visibility") or "public"
    if visibility not in RULE:
        known = ", ".join(RULE)
        return (
            f"可见范围 {str(visibility)[:40]!r} 不是本平台已知的取值（{known}）。"
            f"The visibility {str(visibility)[:40]!r} is not one this hub knows ({known}): the "
            "source must send one of them."
        )
    if visibility == "public":
        return None
    region = record.get("region")
    if visibility == "region" and not source_region:
        return (
            "数据源所属机构没有行政区划，不能接收仅限区域可见的资源；请为其设置区划。"
            "The source's organisation here has no region, so a region-only record cannot be "
            "placed: give that organisation a region."
        )
    if region and source_region and not region_within(str(region), source_region):
        return (
            f"非公开资源的区划 {str(region)[:12]} 不在数据源所属区划 {source_region} 之内。"
            f"A record that is not public claims the region {str(region)[:12]}, outside the "
            f"source's region {source_region}: a child hub cannot widen who reads it."
        )
    return None
