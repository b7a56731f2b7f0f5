"""Ratings and comments over HTTP: the range of a rating, the rating sort, escaping, sizes, pace,
visibility, pre- and post-moderation, reports and reviewers' decisions, all audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hub.db.models import AuditEntry
from hub.services.comments import MAX_BODY
from tests.factories import auth_header, make_org, make_token, make_user
from tests.resource_factories import make_world, publish, valid_record
from tests.support.teacher import index_now, sqlite_url


@pytest.fixture
def database_url(tmp_path):
    """SQLite only; the rules whose SQL differs run on PostgreSQL in test_teacher_postgres.py."""
    return sqlite_url(tmp_path)


def social_world(hub):
    """The resource world, an organisation admin of the county, and one published resource."""
    world = make_world(hub)
    make_user(hub, email="admin-xq@example.cn", org="xq", role="org_admin")
    world.tokens["admin-xq"] = make_token(hub, "admin-xq@example.cn")
    world.public = publish(hub, world)
    return world


@pytest.fixture
def world(hub):
    return social_world(hub)


def _h(world, who):
    return auth_header(world.tokens[who])


def _rate(client, world, who, stars, rid=None):
    return client.put(
        f"/api/v1/resources/{rid or world.public['id']}/rating",
        json={"stars": stars},
        headers=_h(world, who),
    )


def _comment(client, world, who, body, rid=None):
    return client.post(
        f"/api/v1/resources/{rid or world.public['id']}/comments",
        json={"body": body},
        headers=_h(world, who),
    )


def test_a_rating_is_one_per_teacher_and_averaged(client, world):
    assert _rate(client, world, "t", 5).json == {"average": 5.0, "count": 1, "mine": 5}
    _rate(client, world, "o", 2)
    changed = _rate(client, world, "t", 4)
    assert changed.json == {"average": 3.0, "count": 2, "mine": 4}
    seen = client.get(f"/api/v1/resources/{world.public['id']}/rating").json
    assert seen == {"average": 3.0, "count": 2, "mine": None}


@pytest.mark.parametrize("stars", [0, 6, -1, 3.5, "5", True, None, 10**20])
def test_stars_out_of_range_or_of_the_wrong_type_are_refused(client, world, stars):
    response = _rate(client, world, "t", stars)
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "stars"


def test_rating_or_commenting_what_you_may_not_read_is_not_found(client, hub, world):
    hidden = publish(hub, world, title="校内资料", visibility="org")
    assert _rate(client, world, "o", 5, hidden["id"]).status_code == 404
    assert _comment(client, world, "o", "好", hidden["id"]).status_code == 404
    listed = client.get(f"/api/v1/resources/{hidden['id']}/comments", headers=_h(world, "o"))
    assert listed.status_code == 404
    assert _rate(client, world, "t", 5, "no-such-id").status_code == 404


def test_drafts_cannot_be_rated_and_anonymous_callers_cannot_rate(client, hub, world):
    draft = hub.resources.create(world.contributor, valid_record(title="草稿"))
    assert _rate(client, world, "c", 5, draft["id"]).status_code == 422
    url = f"/api/v1/resources/{world.public['id']}/rating"
    assert client.put(url, json={"stars": 5}).status_code == 401


def test_the_rating_sort_follows_ratings_through_the_index(client, hub, world):
    better = publish(hub, world, title="有理数的加法 优秀课件")
    _rate(client, world, "t", 3)
    _rate(client, world, "t", 5, better["id"])
    _rate(client, world, "o", 4, better["id"])
    index_now(hub)
    hits = client.get("/api/v1/resources?sort=rating&q=有理数").json["hits"]
    assert [h["id"] for h in hits][:2] == [better["id"], world.public["id"]]
    _rate(client, world, "o", 1, better["id"])
    _rate(client, world, "c", 5)
    index_now(hub)
    hits = client.get("/api/v1/resources?sort=rating&q=有理数").json["hits"]
    assert [h["id"] for h in hits][:2] == [world.public["id"], better["id"]]


def test_a_comment_is_plain_text_escaped_on_the_page(client, world):
    body = '<script>alert("x")</script><b onmouseover=alert(1)>粗体</b>'
    made = _comment(client, world, "t", body)
    assert made.status_code == 201 and made.json["body"] == body
    page = client.get(f"/r/{world.public['id']}").get_data(as_text=True)
    assert "&lt;script&gt;alert" in page and "<b onmouseover" not in page


@pytest.mark.parametrize("body", ["", "   ", "长" * (MAX_BODY + 1), 42, None, ["x"], "\x00\x01"])
def test_empty_huge_or_non_text_comments_are_refused(client, world, body):
    assert _comment(client, world, "t", body).status_code == 422


def test_control_characters_are_dropped_from_a_comment(client, world):
    made = _comment(client, world, "t", "第一行\x00\x07\n第二行")
    assert made.json["body"] == "第一行\n第二行"


def test_a_teacher_posting_too_often_is_slowed_down(client, world):
    statuses = [_comment(client, world, "t", f"评论 {n}").status_code for n in range(6)]
    assert statuses[:5] == [201] * 5 and statuses[5] == 429


def test_post_moderation_shows_at_once_and_a_report_reaches_the_reviewer_who_hides_it(
    client, hub, world
):
    comment = _comment(client, world, "t", "广告：加微信").json
    assert comment["status"] == "visible"
    url = f"/api/v1/comments/{comment['id']}"
    assert (
        client.post(f"{url}/report", json={"reason": "广告"}, headers=_h(world, "o")).json[
            "reports"
        ]
        == 1
    )
    queue = client.get("/api/v1/comments/queue", headers=_h(world, "r")).json["comments"]
    assert [c["id"] for c in queue] == [comment["id"]]
    assert client.post(f"{url}/actions/hide", headers=_h(world, "t")).status_code == 403
    assert client.post(f"{url}/actions/hide", headers=_h(world, "r")).status_code == 200
    listed = client.get(f"/api/v1/resources/{world.public['id']}/comments").json["comments"]
    assert listed == []
    assert client.get("/api/v1/comments/queue", headers=_h(world, "r")).json["comments"] == []
    actions = _audited(hub, comment["id"])
    assert actions == ["comment.create", "comment.report", "comment.hide"]


def test_pre_moderation_waits_for_a_reviewer_before_anyone_sees_it(client, hub, world):
    policy = client.put(
        "/api/v1/orgs/xq/comment-policy", json={"moderation": "pre"}, headers=_h(world, "admin-xq")
    )
    assert policy.status_code == 200
    refused = client.put(
        "/api/v1/orgs/xq/comment-policy", json={"moderation": "post"}, headers=_h(world, "t")
    )
    assert refused.status_code == 403
    comment = _comment(client, world, "t", "请问有配套习题吗？").json
    assert comment["status"] == "pending"
    url = f"/api/v1/resources/{world.public['id']}/comments"
    assert client.get(url, headers=_h(world, "o")).json["comments"] == []
    assert [c["id"] for c in client.get(url, headers=_h(world, "t")).json["comments"]] == [
        comment["id"]
    ]
    reviewed = client.post(
        f"/api/v1/comments/{comment['id']}/actions/publish", headers=_h(world, "cr")
    )
    assert reviewed.status_code == 200
    assert len(client.get(url, headers=_h(world, "o")).json["comments"]) == 1


def test_a_removed_comment_keeps_its_words_in_the_audit_log_only(client, hub, world):
    comment = _comment(client, world, "t", "不当言论").json
    removed = client.post(
        f"/api/v1/comments/{comment['id']}/actions/remove", headers=_h(world, "r")
    )
    assert removed.json["body"] == "" and removed.json["status"] == "removed"
    with hub.db.session() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "comment.remove"))
        assert entry.details["body"] == "不当言论"


def test_a_comment_that_is_not_shown_cannot_be_reported_and_huge_ids_are_not_found(client, world):
    comment = _comment(client, world, "t", "x").json
    client.post(f"/api/v1/comments/{comment['id']}/actions/hide", headers=_h(world, "r"))
    report = client.post(f"/api/v1/comments/{comment['id']}/report", headers=_h(world, "o"))
    assert report.status_code == 404
    huge = client.post(f"/api/v1/comments/{10**30}/report", headers=_h(world, "o"))
    assert huge.status_code == 404


def _audited(hub, comment_id) -> list[str]:
    with hub.db.session() as session:
        return list(
            session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.target_type == "comment")
                .where(AuditEntry.target_id == str(comment_id))
                .order_by(AuditEntry.id)
            )
        )


def test_a_reviewer_of_another_county_cannot_moderate_or_set_the_policy(client, hub, world):
    make_org(hub, code="gy-school", kind="school", parent="gy", region="640402")
    make_user(hub, email="r-gy@example.cn", org="gy-school", role="reviewer")
    make_user(hub, email="admin-gy@example.cn", org="gy", role="org_admin")
    other = {"r": make_token(hub, "r-gy@example.cn"), "a": make_token(hub, "admin-gy@example.cn")}
    comment = _comment(client, world, "t", "这节课的例题很好").json
    url = f"/api/v1/comments/{comment['id']}"
    assert (
        client.get("/api/v1/comments/queue", headers=auth_header(other["r"])).json["comments"] == []
    )
    hide = client.post(f"{url}/actions/hide", headers=auth_header(other["r"]))
    assert hide.status_code in (403, 404)
    policy = client.put(
        "/api/v1/orgs/xq/comment-policy",
        json={"moderation": "pre"},
        headers=auth_header(other["a"]),
    )
    assert policy.status_code in (403, 404)
    listed = client.get(f"/api/v1/resources/{world.public['id']}/comments").json["comments"]
    assert [c["id"] for c in listed] == [comment["id"]]
