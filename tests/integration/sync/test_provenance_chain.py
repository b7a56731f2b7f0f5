"""Provenance chains across real hubs: a county hub harvests a source, the province harvests the
county's changes feed and the same source directly; the first origin survives every level."""

from __future__ import annotations

from sqlalchemy import select

from hub.db.models import Organisation, Resource
from hub.db.models.sources import Source
from hub.security.principal import SYSTEM
from metadata import provenance
from tests.factories import make_org
from tests.integration.sync.test_sync_service import sync
from tests.integration.sync.test_two_hubs import hub_a_url, hub_b  # noqa: F401  (fixtures)
from tests.support.fake_source import KIND, record

ITEMS = [{"op": "upsert", "id": "n-1", "record": record(1, provenance={"platform": "national"})}]
ORIGIN = {"kind": KIND, "hub": "http://source.example", "id": "n-1"}


def add_fake_source(hub, name: str, org_code: str) -> int:
    with hub.uow() as uow:
        org_id = uow.session.scalar(select(Organisation.id).where(Organisation.code == org_code))
        source = Source(
            name=name,
            kind=KIND,
            url="http://source.example",
            org_id=org_id,
            options={"items": ITEMS},
        )
        uow.session.add(source)
        uow.commit()
        return source.id


def live(hub) -> list[Resource]:
    with hub.uow() as uow:
        query = select(Resource).where(Resource.status == "published")
        return uow.session.scalars(query).all()


def test_the_province_gets_one_record_by_two_paths_with_the_first_origin(
    hub,
    hub_a_url,
    hub_b,  # noqa: F811
):
    make_org(hub, code="nx-county")
    sync(hub, add_fake_source(hub, "national", "nx-county"))  # the county harvests the source

    county = hub_b.sources.create(
        SYSTEM, {"name": "county", "kind": "hub", "url": hub_a_url, "allow_private_host": True}
    )
    assert sync(hub_b, county["id"])["status"] == "succeeded"
    (via_county,) = live(hub_b)
    record = hub_b.resources.get(SYSTEM, via_county.id)
    assert record["provenance"]["origin"] == ORIGIN
    assert record["provenance"]["paths"][0]["via"] == ["http://source.example"]

    # A third level reading the province's feed keeps the first origin and the whole chain.
    (change,) = hub_b.changes.feed()["changes"]
    carried = provenance.carried(change["resource"]["provenance"])
    assert carried == {"origin": ORIGIN, "via": ["http://source.example", hub_a_url]}

    # The province also harvests the source directly: still one record, now with two paths.
    make_org(hub_b, code="nx-province")
    assert sync(hub_b, add_fake_source(hub_b, "national", "nx-province"))["status"] == "succeeded"
    (only,) = live(hub_b)
    assert only.id == via_county.id
    paths = hub_b.resources.get(SYSTEM, only.id)["provenance"]["paths"]
    assert [p["source"] for p in paths] == ["county", "national"]
