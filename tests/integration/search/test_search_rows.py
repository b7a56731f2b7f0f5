"""A page of hits read in one statement: each hit is still the canonical record, and what the
database no longer lets the caller read is dropped even while the index still holds it."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select, update

from hub.db.models import Organisation, Resource, Source
from hub.services import records
from tests.factories import auth_header
from tests.resource_factories import PDF_BYTES, distinct_pdf, make_world, publish, valid_record


@pytest.fixture
def world(hub):
    return make_world(hub)


def _publish_with_two_files(hub, world) -> str:
    record = hub.resources.create(world.contributor, valid_record(title="分数的意义 两个文件"))
    for name in ("第二课时.pdf", "第一课时 讲义.pdf"):
        hub.files.upload(
            world.contributor,
            record["id"],
            name,
            io.BytesIO(distinct_pdf()),
            content_length=len(PDF_BYTES),
        )
    hub.resources.act(world.contributor, record["id"], "submit")
    return hub.resources.act(world.reviewer, record["id"], "publish", comment="好")["id"]


def _set(hub, resource_id: str, **values) -> None:
    with hub.db.session() as session, session.begin():
        session.execute(update(Resource).where(Resource.id == resource_id).values(**values))


def test_a_hit_is_the_canonical_record_with_its_files_source_and_highlights(hub, client, world):
    resource_id = _publish_with_two_files(hub, world)
    with hub.db.session() as session, session.begin():
        org_id = session.scalar(select(Organisation.id).where(Organisation.code == "xq"))
        source = Source(
            name="县级平台", kind="oai_pmh", url="https://peer.example.cn/oai", org_id=org_id
        )
        session.add(source)
        session.flush()
        source_id = source.id
    _set(hub, resource_id, source_id=source_id, provenance={"oai": {"set": "math"}})
    hub.outbox.process()

    body = client.get("/api/v1/resources", query_string={"q": "分数的意义"}).json
    hit = body["hits"][0]
    with hub.db.session() as session:
        canonical = records.serialize(session.get(Resource, resource_id), "县级平台")
    assert hit.pop("highlights")["title"].startswith("<mark>")
    assert hit == canonical
    assert [f["name"] for f in hit["files"]] == ["第二课时.pdf", "第一课时 讲义.pdf"]
    assert hit["source"] == "县级平台" and hit["provenance"] == {"oai": {"set": "math"}}


def test_a_record_made_org_only_in_the_database_is_dropped_before_the_index_catches_up(
    hub, client, world
):
    resource_id = publish(hub, world, title="勾股定理的证明")["id"]
    hub.outbox.process()
    member = auth_header(world.tokens["c"])
    assert client.get("/api/v1/resources", query_string={"q": "勾股定理"}).json["total"] == 1

    _set(hub, resource_id, visibility="org")  # the index still says public: no outbox run

    anonymous = client.get("/api/v1/resources", query_string={"q": "勾股定理"}).json
    outsider = client.get(
        "/api/v1/resources",
        query_string={"q": "勾股定理"},
        headers=auth_header(world.tokens["o"]),
    ).json
    own_school = client.get(
        "/api/v1/resources", query_string={"q": "勾股定理"}, headers=member
    ).json
    assert anonymous["hits"] == [] and anonymous["total"] == 0
    assert outsider["hits"] == []
    assert [h["id"] for h in own_school["hits"]] == [resource_id]


def test_a_withdrawn_record_is_dropped_before_the_index_catches_up(hub, client, world):
    resource_id = publish(hub, world, title="牛顿第一定律")["id"]
    hub.outbox.process()
    _set(hub, resource_id, status="withdrawn")
    body = client.get("/api/v1/resources", query_string={"q": "牛顿"}).json
    assert body["hits"] == [] and body["total"] == 0


def test_a_renamed_organisation_shows_its_new_name_in_the_facet_at_once(hub, client, world):
    publish(hub, world, title="古诗两首")
    hub.outbox.process()
    before = client.get("/api/v1/resources", query_string={"facets": "org"}).json
    assert before["aggregations"]["org"][0]["label"] == "银川市第一中学"
    with hub.db.session() as session, session.begin():
        session.execute(
            update(Organisation).where(Organisation.code == "xq-school-1").values(name="银川一中")
        )
    after = client.get("/api/v1/resources", query_string={"facets": "org"}).json
    assert after["aggregations"]["org"][0]["label"] == "银川一中"
