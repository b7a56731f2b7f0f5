"""A rebuild and the outbox read plain columns: they must give the index the documents the ORM
objects and `records.serialize` (what the API says of a record) give."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select, update

from hub.db.models import FileText, Organisation, Resource, ResourceFile, Source
from hub.search import document_from_record
from hub.services import records
from hub.services.harvested import ensure_blob
from hub.services.indexer import file_texts, indexable_documents, source_names, split
from hub.services.rating_stats import as_fields, rating_stats
from tests.resource_factories import make_world, publish, valid_record


def outbox_documents(hub, ids: list[str]) -> list[dict]:
    with hub.db.session() as session:
        docs, _gone = split(session, ids)
    return docs


def serialized_documents(hub, ids: list[str]) -> list[dict]:
    """The documents of ORM objects through `records.serialize`: the reference both are held to."""
    with hub.db.session() as session:
        found = session.scalars(select(Resource).where(Resource.id.in_(ids))).unique().all()
        names = source_names(session, found)
        texts = file_texts(session, ids)
        ratings = rating_stats(session, [r.lineage_id for r in found])
        return [
            document_from_record(
                records.serialize(r, names.get(r.source_id))
                | ratings.get(r.lineage_id, as_fields(0, 0)),
                r.org.path if r.org else "/",
                texts.get(r.id),
            )
            for r in found
        ]


def as_text(docs: list[dict]) -> list[str]:
    """Each document exactly as the engine receives it: byte-identical, not just equal after
    decoding."""
    return [json.dumps(doc, ensure_ascii=False) for doc in sorted(docs, key=lambda d: d["id"])]


def with_text(hub, resource_id: str, name: str, text: str) -> None:
    """A second file on a published record and its extracted text, as a sync run and the extraction
    worker leave them (a published record's files cannot be uploaded to)."""
    sha256 = hashlib.sha256(text.encode()).hexdigest()
    with hub.db.session() as session:
        ensure_blob(session, sha256=sha256, size=len(text), mimetype="application/pdf")
        session.add(
            ResourceFile(
                resource_id=resource_id,
                name=name,
                sha256=sha256,
                size=len(text),
                mimetype="application/pdf",
                position=1,
            )
        )
        session.add(FileText(sha256=sha256, text=text))
        session.commit()


def harvested(hub, resource_id: str) -> None:
    """Mark a record as coming from a source, with downloads, as a sync run would."""
    with hub.db.session() as session:
        org_id = session.scalar(select(Organisation.id).where(Organisation.code == "xq"))
        source = Source(
            name="partner-hub", kind="fake", url="http://source.example", org_id=org_id, options={}
        )
        session.add(source)
        session.flush()
        session.execute(
            update(Resource)
            .where(Resource.id == resource_id)
            .values(source_id=source.id, downloads=42)
        )
        session.commit()


def test_rebuild_and_outbox_build_byte_identical_documents(hub):
    world = make_world(hub)
    first = publish(
        hub,
        world,
        title="黄河文化：沙坡头的治沙故事",
        themes=["yellow-river"],
        region="640302",
        keywords=["黄河", "治沙", "Yellow River"],
        visibility="region",
    )
    second = publish(
        hub, world, title="勾股定理（第二课时）", edition=None, keywords=[], description=""
    )
    third = publish(
        hub, world, title="一元一次方程", subjects=["math"], grades=["g7"], visibility="org"
    )
    with_text(hub, first["id"], "讲义.pdf", "沙坡头位于中卫市，治沙经验闻名全国。")
    with_text(hub, third["id"], "练习.pdf", "解方程 3x + 5 = 11")
    harvested(hub, second["id"])
    hub.ratings.rate(world.teacher, second["id"], 4)  # a public record: anyone may rate it
    hub.ratings.rate(world.outsider, second["id"], 5)
    hub.resources.create(world.contributor, valid_record(title="草稿不进索引"))

    rebuilt = list(
        indexable_documents(hub.db, chunk=2)
    )  # pages of two: the page boundaries are crossed too

    ids = [first["id"], second["id"], third["id"]]
    assert sorted(doc["id"] for doc in rebuilt) == sorted(ids)
    assert as_text(rebuilt) == as_text(outbox_documents(hub, ids))
    assert as_text(rebuilt) == as_text(serialized_documents(hub, ids))
    by_id = {doc["id"]: doc for doc in rebuilt}
    assert "治沙" in by_id[first["id"]]["text_w"] and by_id[second["id"]]["source"] == [
        "partner-hub"
    ]
    assert by_id[first["id"]]["org_path"] == by_id[second["id"]]["org_path"] != []
    assert by_id[second["id"]]["rating_count"] == 2 and by_id[first["id"]]["rating_count"] == 0


def test_rebuild_skips_old_versions_and_withdrawn_records(hub):
    world = make_world(hub)
    old = publish(hub, world, title="三角形的内角和")
    draft = hub.resources.act(world.contributor, old["id"], "new-version")
    hub.resources.act(world.contributor, draft["id"], "submit")
    hub.resources.act(world.reviewer, draft["id"], "publish", comment="好")
    gone = publish(hub, world, title="平行四边形的面积")
    hub.resources.withdraw(world.contributor, gone["id"])

    rebuilt = list(indexable_documents(hub.db))

    assert [doc["id"] for doc in rebuilt] == [draft["id"]]
    assert as_text(rebuilt) == as_text(outbox_documents(hub, [draft["id"]]))
    assert as_text(rebuilt) == as_text(serialized_documents(hub, [draft["id"]]))
