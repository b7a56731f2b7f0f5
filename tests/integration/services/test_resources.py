"""The resource service: lifecycle, versions, visibility and the records it writes alongside."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from hub.db.models import AuditEntry, Change, OutboxMessage
from hub.errors import (
    Conflict,
    Forbidden,
    Gone,
    NotFound,
    PreconditionFailed,
    Unauthenticated,
    ValidationFailed,
)
from hub.security.principal import ANONYMOUS
from tests.resource_factories import PDF_BYTES, make_world, publish, valid_record


@pytest.fixture
def world(hub):
    return make_world(hub)


def test_contributor_creates_a_draft_in_their_org(hub, world):
    record = hub.resources.create(world.contributor, valid_record())
    assert record["status"] == "draft"
    assert record["org"] == "xq-school-1"
    assert record["region"] == "640104"
    assert record["version"] == 1 and record["lineage_id"] == record["id"]


def test_anonymous_and_teachers_cannot_create(hub, world):
    with pytest.raises(Unauthenticated):
        hub.resources.create(ANONYMOUS, valid_record())
    with pytest.raises(ValidationFailed):  # a teacher has no organisation to contribute to
        hub.resources.create(world.teacher, valid_record())
    with pytest.raises(Forbidden):
        hub.resources.create(world.teacher, valid_record(org="xq-school-2"))


def test_unknown_vocabulary_code_names_field(hub, world):
    with pytest.raises(ValidationFailed) as err:
        hub.resources.create(world.contributor, valid_record(subjects=["alchemy"]))
    assert any(e["field"].startswith("subjects") for e in err.value.errors)


def test_full_review_cycle_publishes_and_records_change(hub, world):
    record = publish(hub, world)
    assert record["status"] == "published" and record["published"]
    with hub.db.session() as s:
        actions = [a.action for a in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        changes = s.scalars(select(Change)).all()
        outbox = s.scalars(select(OutboxMessage)).all()
    for expected in ("resource.create", "file.upload", "resource.submit", "resource.publish"):
        assert expected in actions
    assert [(c.resource_id, c.op) for c in changes] == [(record["id"], "upsert")]
    assert any(m.topic == "resource.index" and m.payload["id"] == record["id"] for m in outbox)


def test_submit_requires_files_and_core_fields(hub, world):
    record = hub.resources.create(world.contributor, {"title": "只有标题"})
    with pytest.raises(ValidationFailed) as err:
        hub.resources.act(world.contributor, record["id"], "submit")
    fields = {e["field"] for e in err.value.errors}
    assert {"files", "stage", "subjects", "type", "license"} <= fields


def test_reject_needs_a_comment_and_returns_to_contributor(hub, world):
    record = hub.resources.create(world.contributor, valid_record())
    hub.files.upload(
        world.contributor,
        record["id"],
        "a.pdf",
        io.BytesIO(PDF_BYTES),
        content_length=len(PDF_BYTES),
    )
    hub.resources.act(world.contributor, record["id"], "submit")
    with pytest.raises(ValidationFailed):
        hub.resources.act(world.reviewer, record["id"], "reject")
    rejected = hub.resources.act(world.reviewer, record["id"], "reject", comment="请补充练习答案")
    assert rejected["status"] == "rejected" and rejected["review_comment"] == "请补充练习答案"
    fixed = hub.resources.update(world.contributor, record["id"], {"description": "已补充答案"})
    assert fixed["status"] == "rejected" and fixed["description"] == "已补充答案"


def test_only_reviewers_over_the_org_publish(hub, world):
    record = hub.resources.create(world.contributor, valid_record())
    hub.files.upload(
        world.contributor,
        record["id"],
        "a.pdf",
        io.BytesIO(PDF_BYTES),
        content_length=len(PDF_BYTES),
    )
    hub.resources.act(world.contributor, record["id"], "submit")
    with pytest.raises(Forbidden):
        hub.resources.act(world.contributor, record["id"], "publish")
    with pytest.raises(NotFound):  # a teacher elsewhere may not even see a submission
        hub.resources.act(world.outsider, record["id"], "publish")
    assert (
        hub.resources.act(world.county_reviewer, record["id"], "publish")["status"] == "published"
    )


def test_publish_twice_is_a_conflict(hub, world):
    record = publish(hub, world)
    with pytest.raises(Conflict):
        hub.resources.act(world.reviewer, record["id"], "publish")


def test_update_with_stale_revision_fails(hub, world):
    record = hub.resources.create(world.contributor, valid_record())
    hub.resources.update(
        world.contributor, record["id"], {"chapter": "第一章"}, if_match=record["revision"]
    )
    with pytest.raises(PreconditionFailed):
        hub.resources.update(
            world.contributor, record["id"], {"chapter": "第二章"}, if_match=record["revision"]
        )


def test_published_records_cannot_be_edited_in_place(hub, world):
    record = publish(hub, world)
    with pytest.raises(ValidationFailed):
        hub.resources.update(world.contributor, record["id"], {"title": "改"})


def test_new_version_links_to_previous_and_supersedes_on_publish(hub, world):
    first = publish(hub, world)
    draft = hub.resources.act(world.contributor, first["id"], "new-version")
    assert (
        draft["version"] == 2
        and draft["previous_id"] == first["id"]
        and draft["lineage_id"] == first["id"]
    )
    assert [f["sha256"] for f in draft["files"]] == [f["sha256"] for f in first["files"]]
    with pytest.raises(Conflict):
        hub.resources.act(world.contributor, first["id"], "new-version")
    hub.resources.update(world.contributor, draft["id"], {"title": "第二版"})
    hub.resources.act(world.contributor, draft["id"], "submit")
    second = hub.resources.act(world.reviewer, draft["id"], "publish")
    assert second["is_latest"] is True
    assert hub.resources.get(ANONYMOUS, first["id"])["is_latest"] is False
    versions = hub.resources.versions(ANONYMOUS, first["id"])
    assert [v["version"] for v in versions] == [1, 2]


def test_visibility_is_enforced_on_read(hub, world):
    org_only = publish(hub, world, visibility="org")
    region_only = publish(hub, world, visibility="region")
    for rid in (org_only["id"], region_only["id"]):
        with pytest.raises(NotFound):
            hub.resources.get(ANONYMOUS, rid)
        with pytest.raises(NotFound):
            hub.resources.get(world.outsider, rid)  # another county
    with pytest.raises(NotFound):
        hub.resources.get(world.teacher, org_only["id"])  # same county, other school
    assert hub.resources.get(world.teacher, region_only["id"])["id"] == region_only["id"]
    assert (
        hub.resources.get(world.county_reviewer, org_only["id"])["id"] == org_only["id"]
    )  # parent org


def test_drafts_are_invisible_to_others(hub, world):
    record = hub.resources.create(world.contributor, valid_record())
    for who in (ANONYMOUS, world.teacher, world.outsider):
        with pytest.raises(NotFound):
            hub.resources.get(who, record["id"])


def test_withdraw_leaves_a_tombstone_and_a_delete_change(hub, world):
    record = publish(hub, world)
    tomb = hub.resources.withdraw(world.contributor, record["id"], comment="内容过时")
    assert tomb["status"] == "withdrawn"
    with pytest.raises(Gone) as err:
        hub.resources.get(ANONYMOUS, record["id"])
    assert err.value.tombstone["id"] == record["id"]
    with hub.db.session() as s:
        ops = [(c.op) for c in s.scalars(select(Change).order_by(Change.seq))]
    assert ops == ["upsert", "delete"]


def test_harvested_upsert_is_idempotent_and_tombstones(hub, world):
    from hub.db.models import Organisation

    with hub.db.session() as s:
        org_id = s.scalar(select(Organisation.id).where(Organisation.code == "xq"))
    data = valid_record(title="国家平台：分数的意义", origin_url="https://example.org/x/1")
    outcomes = []
    for _ in range(2):
        with hub.uow() as uow:
            _, outcome = hub.resources.upsert_harvested(
                uow, source_id=7, org_id=org_id, external_id="x1", record=data
            )
            uow.commit()
        outcomes.append(outcome)
    assert outcomes == ["created", "unchanged"]
    with hub.uow() as uow:
        resource, outcome = hub.resources.upsert_harvested(
            uow,
            source_id=7,
            org_id=org_id,
            external_id="x1",
            record={**data, "title": "国家平台：分数的意义（修订）"},
        )
        rid = resource.id
        uow.commit()
    assert outcome == "updated"
    with pytest.raises(Forbidden):
        hub.resources.withdraw(world.contributor, rid)
    with hub.uow() as uow:
        assert hub.resources.tombstone_harvested(uow, source_id=7, external_id="x1") == "deleted"
        assert (
            hub.resources.tombstone_harvested(uow, source_id=7, external_id="nope") == "unchanged"
        )
        uow.commit()
    with pytest.raises(Gone):
        hub.resources.get(ANONYMOUS, rid)


def test_patch_that_breaks_stage_grade_consistency_is_refused(hub, world):
    record = hub.resources.create(world.contributor, valid_record())
    with pytest.raises(ValidationFailed) as err:
        hub.resources.update(world.contributor, record["id"], {"grades": ["g2"]})
    assert err.value.errors
    assert hub.resources.get(world.contributor, record["id"])["grades"] == ["g7"]
