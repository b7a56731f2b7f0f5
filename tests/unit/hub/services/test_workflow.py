"""The review workflow: draft -> submitted -> published or rejected; new versions of a record."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from hub.db.models import Change, OutboxMessage, Resource
from hub.errors import Conflict, Forbidden, NotFound, Unauthenticated, ValidationFailed
from hub.search import SearchQuery
from hub.security.principal import ANONYMOUS
from hub.services.workflow import MAX_COMMENT
from tests.unit.hub.services.factories import draft, make_world, published, submitted


@pytest.fixture
def world(hub):
    return make_world(hub)


def act(hub, actor, record, action, comment=None):
    return hub.resources.act(actor, record["id"], action, comment=comment)


def messages(hub, topic="resource.index") -> list[dict]:
    with hub.db.session() as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.topic == topic))
        return [m.payload for m in rows]


def changes(hub) -> list[tuple[str, str]]:
    with hub.db.session() as session:
        return [(c.resource_id, c.op) for c in session.scalars(select(Change).order_by(Change.seq))]


def field_names(exc_info) -> set[str]:
    return {e["field"] for e in exc_info.value.errors}


def test_a_complete_draft_goes_to_review(hub, world):
    record = draft(hub, world.contributor)
    assert act(hub, world.contributor, record, "submit")["status"] == "submitted"
    assert messages(hub) == [] and changes(hub) == []  # nothing public happens before review


def test_an_incomplete_draft_names_every_missing_field(hub, world):
    record = draft(hub, world.contributor, with_file=False, stage=None, grades=[], license=None)
    with pytest.raises(ValidationFailed) as refused:
        act(hub, world.contributor, record, "submit")
    assert field_names(refused) == {"stage", "license", "files"}
    assert hub.resources.get(world.contributor, record["id"])["status"] == "draft"


def test_publishing_indexes_the_record_and_feeds_followers(hub, world):
    record = submitted(hub, world, title="分数的加法")
    done = act(hub, world.reviewer, record, "publish", comment="  很好  ")
    assert (done["status"], done["review_comment"], done["is_latest"]) == (
        "published",
        "很好",
        True,
    )
    assert done["published"] is not None
    assert messages(hub) == [{"id": record["id"]}]
    assert changes(hub) == [(record["id"], "upsert")]
    assert hub.wakeups  # the commit woke the outbox worker

    hub.outbox.process()
    assert [h.id for h in hub.index.search(SearchQuery(q="分数")).hits] == [record["id"]]


@pytest.mark.parametrize("who", ["county_reviewer", "admin"])
def test_reviewers_above_the_school_may_decide(hub, world, who):
    record = submitted(hub, world)
    assert act(hub, getattr(world, who), record, "publish")["status"] == "published"


@pytest.mark.parametrize("who", ["contributor", "sibling_reviewer", "outsider_reviewer"])
def test_nobody_else_may_publish(hub, world, who):
    record = submitted(hub, world)
    with pytest.raises((Forbidden, NotFound)):
        act(hub, getattr(world, who), record, "publish")
    assert hub.resources.get(world.contributor, record["id"])["status"] == "submitted"


def test_a_teacher_cannot_even_see_a_colleagues_draft(hub, world):
    record = draft(hub, world.contributor)
    with pytest.raises(NotFound):
        act(hub, world.teacher, record, "submit")


def test_anonymous_callers_are_asked_to_log_in(hub, world):
    record = submitted(hub, world)
    with pytest.raises(Unauthenticated):
        act(hub, ANONYMOUS, record, "publish")


def test_a_rejection_needs_a_reason_and_the_contributor_may_resubmit(hub, world):
    record = submitted(hub, world)
    with pytest.raises(ValidationFailed) as refused:
        act(hub, world.reviewer, record, "reject", comment="   ")
    assert field_names(refused) == {"comment"}
    rejected = act(hub, world.reviewer, record, "reject", comment="请补充练习")
    assert (rejected["status"], rejected["review_comment"]) == ("rejected", "请补充练习")
    assert act(hub, world.contributor, record, "submit")["status"] == "submitted"


@pytest.mark.parametrize(
    "status, action",
    [
        ("draft", "publish"),
        ("draft", "reject"),
        ("draft", "new-version"),
        ("submitted", "submit"),
        ("published", "publish"),
        ("published", "submit"),
        ("rejected", "publish"),
    ],
)
def test_actions_out_of_order_are_conflicts(hub, world, status, action):
    record = draft(hub, world.contributor)
    with hub.db.session() as session:
        session.execute(update(Resource).where(Resource.id == record["id"]).values(status=status))
        session.commit()
    with pytest.raises(Conflict):
        act(hub, world.admin, record, action, comment="理由")


def test_unknown_actions_and_bad_comments_are_refused(hub, world):
    record = submitted(hub, world)
    with pytest.raises(NotFound):
        act(hub, world.reviewer, record, "approve")
    for comment in (42, "长" * (MAX_COMMENT + 1)):
        with pytest.raises(ValidationFailed):
            act(hub, world.reviewer, record, "publish", comment=comment)


def test_a_new_version_is_a_draft_copy_and_only_one_may_be_open(hub, world):
    first = published(hub, world)
    second = act(hub, world.contributor, first, "new-version")
    assert (second["status"], second["version"], second["previous_id"]) == ("draft", 2, first["id"])
    assert second["lineage_id"] == first["lineage_id"] and second["is_latest"] is False
    assert [f["sha256"] for f in second["files"]] == [f["sha256"] for f in first["files"]]
    with pytest.raises(Conflict):
        act(hub, world.contributor, first, "new-version")


def test_publishing_a_new_version_supersedes_the_old_one(hub, world):
    first = published(hub, world, title="有理数的加法")
    second = act(hub, world.contributor, first, "new-version")
    act(hub, world.contributor, second, "submit")
    act(hub, world.reviewer, second, "publish")
    old = hub.resources.get(world.reviewer, first["id"])
    assert old["is_latest"] is False and old["status"] == "published"
    assert set(changes(hub)[1:]) == {(second["id"], "upsert"), (first["id"], "delete")}
    hub.outbox.process()
    found = hub.index.search(SearchQuery(q="有理数"))
    assert [h.id for h in found.hits] == [second["id"]]  # search shows the latest version only


def test_a_teacher_may_not_version_a_published_record(hub, world):
    record = published(hub, world)
    with pytest.raises(Forbidden):
        act(hub, world.teacher, record, "new-version")
