"""The review queue: what each reviewer may decide on, oldest first, with what changed since the
previous version."""

from __future__ import annotations

import pytest

from hub.errors import Forbidden
from tests.unit.hub.services.factories import attach, make_person, make_world, published, submitted


@pytest.fixture
def world(hub):
    return make_world(hub)


def queue(hub, actor) -> list[dict]:
    return hub.review.queue(actor)


def titles(items) -> list[str]:
    return [item["record"]["title"] for item in items]


def test_reviewers_see_submissions_of_their_school_and_below_oldest_first(hub, world):
    for title in ("第一份", "第二份", "第三份"):
        submitted(hub, world, title=title)
    assert titles(queue(hub, world.reviewer)) == ["第一份", "第二份", "第三份"]
    assert titles(queue(hub, world.county_reviewer)) == ["第一份", "第二份", "第三份"]
    assert queue(hub, world.sibling_reviewer) == []
    assert queue(hub, world.outsider_reviewer) == []


def test_drafts_and_published_records_are_not_in_the_queue(hub, world):
    published(hub, world, title="已发布")
    hub.resources.create(world.contributor, {"title": "草稿"})
    submitted(hub, world, title="待审核")
    assert titles(queue(hub, world.reviewer)) == ["待审核"]


@pytest.mark.parametrize("who", ["teacher", "contributor"])
def test_only_reviewers_have_a_queue(hub, world, who):
    with pytest.raises(Forbidden):
        queue(hub, getattr(world, who))


def test_a_contributor_who_also_reviews_elsewhere_sees_only_what_they_may_decide(hub, world):
    both = make_person(hub, world.orgs, ("xq-1", "contributor"), ("xq-2", "reviewer"))
    submitted(hub, world, title="一中的资源")
    assert queue(hub, both) == []  # readable as a contributor of xq-1, not theirs to review


def test_a_first_version_has_no_changes_and_a_new_version_lists_its_own(hub, world):
    first = published(hub, world, title="旧标题")
    assert all(item["changes"] == [] for item in queue(hub, world.reviewer))
    second = hub.resources.act(world.contributor, first["id"], "new-version")
    hub.resources.update(world.contributor, second["id"], {"title": "新标题"})
    attach(hub, world.contributor, second["id"], name="练习.pdf")
    hub.resources.act(world.contributor, second["id"], "submit")

    (item,) = queue(hub, world.reviewer)
    assert item["record"]["id"] == second["id"]
    assert {c["field"]: (c["before"], c["after"]) for c in item["changes"]} == {
        "title": ("旧标题", "新标题"),
        "files": (["课件.pdf"], ["练习.pdf", "课件.pdf"]),
    }
