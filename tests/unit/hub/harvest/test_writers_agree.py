"""The ORM writer and the page-at-a-time Core writer persist the same rows for any sequence of
upserts and deletes, applied in batches: both only write what `hub.harvest.apply` decided."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hub.db.models import Change, Resource
from hub.harvest import orm
from hub.harvest.batch import HarvestBatch
from hub.security.principal import SYSTEM
from tests.support.fake_source import record
from tests.unit.hub.services.factories import make_orgs

# Columns both writers must agree on (ids and wall-clock times are each writer's own).
COMPARED = (
    "status",
    "title",
    "description",
    "language",
    "stage",
    "subjects",
    "keywords",
    "region",
    "visibility",
    "origin_url",
    "provenance",
    "revision",
    "version",
    "is_latest",
    "lineage_is_self",
    "published_is_set",
)
IDS = ("a", "b", "c")

upserts = st.tuples(
    st.just("upsert"),
    st.sampled_from(IDS),
    st.fixed_dictionaries(
        {"title": st.sampled_from(["一", "二"])},
        optional={
            "keywords": st.lists(st.sampled_from(["x", "y"]), max_size=2),
            "origin_url": st.sampled_from(["http://s.example/1", "javascript:x", None]),
            "provenance": st.sampled_from([{"from": "s"}, {"from": "t"}, "nope"]),
            "region": st.sampled_from(["640104", "640402"]),
        },
    ),
)
deletes = st.tuples(st.just("delete"), st.sampled_from(IDS), st.just(None))
batches = st.lists(st.lists(st.one_of(upserts, deletes), min_size=1, max_size=6), max_size=4)


def test_the_orm_and_the_batch_writer_write_the_same_rows(hub):
    org = make_orgs(hub)["xq"]
    sources = itertools.count(100, 2)

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(batches=batches, publish=st.booleans())
    def check(batches, publish):
        via_orm, via_batch = next(sources), None
        via_batch = via_orm + 1
        for batch in batches:
            with hub.uow(SYSTEM) as uow:
                for op, external_id, fields in batch:
                    apply_orm(uow, via_orm, org.id, op, external_id, fields, publish)
                uow.commit()
            with hub.uow(SYSTEM) as uow:
                writer = HarvestBatch(uow, source_id=via_batch, org_id=org.id, publish=publish)
                writer.load([external_id for _op, external_id, _f in batch])
                for op, external_id, fields in batch:
                    apply_batch(writer, op, external_id, fields)
                writer.write()
                uow.commit()
        assert rows(hub, via_orm) == rows(hub, via_batch)
        assert changes(hub, via_orm) == changes(hub, via_batch)

    check()


def apply_orm(uow, source_id, org_id, op, external_id, fields, publish):
    if op == "delete":
        return orm.tombstone(uow, source_id=source_id, external_id=external_id)
    return orm.upsert(
        uow,
        source_id=source_id,
        org_id=org_id,
        external_id=external_id,
        record=record(1, **fields),
        publish=publish,
    )[1]


def apply_batch(writer, op, external_id, fields):
    if op == "delete":
        return writer.tombstone(external_id)
    return writer.upsert(external_id, record(1, **fields))


def rows(hub, source_id) -> dict:
    with hub.uow() as uow:
        found = uow.session.scalars(select(Resource).where(Resource.source_id == source_id))
        return {r.external_id: _compared(r) for r in found}


def _compared(resource: Resource) -> tuple:
    values = {
        **{name: getattr(resource, name, None) for name in COMPARED},
        "lineage_is_self": resource.lineage_id == resource.id,
        "published_is_set": resource.published is not None,
    }
    return tuple(values[name] for name in COMPARED)


def changes(hub, source_id) -> list[tuple[str, str]]:
    with hub.uow() as uow:
        query = (
            select(Resource.external_id, Change.op)
            .join(Resource, Resource.id == Change.resource_id)
            .where(Resource.source_id == source_id)
            .order_by(Change.seq)
        )
        return [tuple(row) for row in uow.session.execute(query)]
