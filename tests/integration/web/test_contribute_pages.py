"""Contributor and reviewer pages: describe, add files without JavaScript, submit, and publish or
return."""

from __future__ import annotations

import io
import re

import pytest

from tests.factories import PASSWORD
from tests.resource_factories import PDF_BYTES, make_world, publish, valid_record


@pytest.fixture
def world(hub):
    return make_world(hub)


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def log_in(client, email: str) -> str:
    token = csrf_from(client.get("/login").get_data(as_text=True))
    client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token, "next": "/mine"}
    )
    return csrf_from(client.get("/mine").get_data(as_text=True))


FORM = {
    "title": "宁夏枸杞种植 微课",
    "description": "现代农业主题微课。",
    "stage": "junior",
    "type": "courseware",
    "license": "CC-BY-4.0",
    "visibility": "public",
    "subjects": ["biology"],
    "grades": ["g7"],
    "themes": ["modern-agriculture"],
    "keywords": "枸杞，种植, 农业",
}


def _create_draft(client, token) -> str:
    response = client.post("/upload", data={**FORM, "csrf_token": token})
    assert response.status_code == 302
    return response.headers["Location"].rsplit("/", 1)[-1]


def test_upload_page_asks_anonymous_visitors_to_log_in(client, world):
    response = client.get("/upload")
    assert response.status_code == 302 and "/login?next=/upload" in response.headers["Location"]


def test_the_form_offers_the_vocabularies_as_pick_lists(client, world):
    log_in(client, "c@example.cn")
    html = client.get("/upload").get_data(as_text=True)
    assert '<option value="junior"' in html and "初中" in html
    assert 'name="themes" value="yellow-river"' in html
    assert "/assets/js/upload.js" not in html  # the file step has the script, the form needs none


def test_the_form_creates_a_draft_with_its_metadata(client, world, hub):
    token = log_in(client, "c@example.cn")
    rid = _create_draft(client, token)
    record = hub.resources.get(world.contributor, rid)
    assert record["status"] == "draft" and record["title"] == FORM["title"]
    assert record["subjects"] == ["biology"] and record["keywords"] == ["枸杞", "种植", "农业"]
    page = client.get(f"/upload/{rid}").get_data(as_text=True)
    assert (
        f'data-uploads="/api/v1/resources/{rid}/uploads"' in page and "/assets/js/upload.js" in page
    )


def test_the_form_without_csrf_is_refused_and_bad_input_is_shown_again(client, world, hub):
    token = log_in(client, "c@example.cn")
    assert client.post("/upload", data=FORM).status_code == 403
    response = client.post(
        "/upload", data={**FORM, "title": "", "stage": "nonsense", "csrf_token": token}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true" aria-describedby="title-error"' in html
    assert "现代农业主题微课。</textarea>" in html  # what was typed is kept
    assert hub.resources.list_mine(world.contributor) == []


def test_without_javascript_a_multipart_form_adds_files_then_submit_sends_it_to_review(
    client, world, hub
):
    token = log_in(client, "c@example.cn")
    rid = _create_draft(client, token)
    early = client.post(f"/upload/{rid}/submit", data={"csrf_token": token})
    assert early.status_code == 422 and "files" in early.get_data(as_text=True)

    response = client.post(
        f"/upload/{rid}/files",
        data={"csrf_token": token, "file": (io.BytesIO(PDF_BYTES), "枸杞.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert "枸杞.pdf" in client.get(f"/upload/{rid}").get_data(as_text=True)
    assert (
        client.post(
            f"/upload/{rid}/files",
            data={"file": (io.BytesIO(PDF_BYTES), "b.pdf")},
            content_type="multipart/form-data",
        ).status_code
        == 403
    )

    done = client.post(f"/upload/{rid}/submit", data={"csrf_token": token})
    assert done.status_code == 302 and done.headers["Location"].endswith("/mine")
    assert hub.resources.get(world.contributor, rid)["status"] == "submitted"
    assert "status-submitted" in client.get("/mine").get_data(as_text=True)


def _submitted(hub, world, **overrides) -> dict:
    record = hub.resources.create(world.contributor, valid_record(**overrides))
    hub.files.upload(
        world.contributor,
        record["id"],
        "课件.pdf",
        io.BytesIO(PDF_BYTES),
        content_length=len(PDF_BYTES),
    )
    return hub.resources.act(world.contributor, record["id"], "submit")


def test_reviewers_see_the_submissions_of_their_organisations_only(client, world, hub):
    mine = _submitted(hub, world, title="兴庆区 提交的课件")
    log_in(client, "cr@example.cn")  # county reviewer: the schools below are theirs
    assert mine["title"] in client.get("/review").get_data(as_text=True)
    other = client.application.test_client()
    log_in(other, "c@example.cn")  # a contributor is no reviewer
    assert other.get("/review").status_code == 403


def test_publish_from_the_queue(client, world, hub):
    record = _submitted(hub, world)
    token = log_in(client, "r@example.cn")
    assert client.post(f"/review/{record['id']}/publish", data={}).status_code == 403
    response = client.post(f"/review/{record['id']}/publish", data={"csrf_token": token})
    assert response.status_code == 302
    assert hub.resources.get(world.reviewer, record["id"])["status"] == "published"
    assert record["title"] not in client.get("/review?done=publish").get_data(as_text=True)


def test_return_needs_a_comment_and_the_contributor_reads_it_in_mine(client, world, hub):
    record = _submitted(hub, world)
    token = log_in(client, "r@example.cn")
    refused = client.post(
        f"/review/{record['id']}/reject", data={"csrf_token": token, "comment": " "}
    )
    assert refused.status_code == 422
    client.post(
        f"/review/{record['id']}/reject",
        data={"csrf_token": token, "comment": "请补充课堂练习答案。"},
    )
    assert hub.resources.get(world.contributor, record["id"])["status"] == "rejected"
    contributor = client.application.test_client()
    log_in(contributor, "c@example.cn")
    mine = contributor.get("/mine").get_data(as_text=True)
    assert "请补充课堂练习答案。" in mine
    assert f'href="/upload/{record["id"]}"' in mine  # the way back to fix and resubmit
    assert "请补充课堂练习答案。" in contributor.get(f"/upload/{record['id']}").get_data(
        as_text=True
    )


def test_a_new_version_shows_what_changed(client, world, hub):
    first = publish(hub, world)
    draft = hub.resources.act(world.contributor, first["id"], "new-version")
    hub.resources.update(
        world.contributor, draft["id"], {"title": "有理数的加法（修订版）", "grades": ["g7", "g8"]}
    )
    hub.resources.act(world.contributor, draft["id"], "submit")
    log_in(client, "r@example.cn")
    html = client.get("/review").get_data(as_text=True)
    assert "有理数的加法（修订版）" in html
    assert "<del>" + first["title"] + "</del>" in html
    assert "八年级" in html  # the grades diff in words, not codes
