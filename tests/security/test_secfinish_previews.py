"""A file the sandbox stopped has a clear answer, not a bare 404 or a broken image (issue 9)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from hub.db.models import Preview, ResourceFile
from tests.resource_factories import make_world, valid_record
from tests.support.sandbox import png_bomb

TOO_MUCH = "文件过大或过于复杂，无法预览；请下载后查看。"
TOO_BIG = "文件解压后过大，无法预览；请下载后查看。"


@pytest.fixture
def world(hub):
    return make_world(hub)


def published_with(hub, world, name: str, data: bytes, **record) -> str:
    created = hub.resources.create(world.contributor, valid_record(title="第三单元", **record))
    stream = io.BytesIO(data)
    hub.files.upload(world.contributor, created["id"], name, stream, content_length=len(data))
    hub.resources.act(world.contributor, created["id"], "submit")
    hub.resources.act(world.reviewer, created["id"], "publish", comment="好")
    hub.outbox.process()
    return created["id"]


def mark_failed(hub, resource_id: str, reason: str) -> None:
    """What the worker records when a limit stops a render (memory and time are slow to provoke)."""
    with hub.db.session() as session:
        query = select(ResourceFile.sha256).where(ResourceFile.resource_id == resource_id)
        row = session.get(Preview, session.scalar(query))
        row.kind, row.preview_sha256 = f"failed-{reason}", None
        row.failure = "renderer ran out of memory"
        session.commit()


def test_a_decompression_bomb_answers_422_with_the_reason_in_plain_words(client, hub, world):
    resource_id = published_with(hub, world, "封面.png", png_bomb())
    answer = client.get(f"/api/v1/resources/{resource_id}/preview")
    assert answer.status_code == 422
    assert answer.json["message"].startswith(TOO_BIG)
    assert answer.json["errors"] == [{"field": "preview", "messages": ["failed-size"]}]


def test_the_resource_page_says_why_there_is_no_preview(client, hub, world):
    resource_id = published_with(hub, world, "封面.png", png_bomb())
    page = client.get(f"/r/{resource_id}").get_data(as_text=True)
    assert TOO_BIG in page
    assert f"/api/v1/resources/{resource_id}/preview" not in page  # no broken <img>
    english = client.get(f"/r/{resource_id}", headers={"Accept-Language": "en"})
    assert "too much data to preview: download it" in english.get_data(as_text=True)


@pytest.mark.parametrize("reason", ["memory", "killed"])
def test_a_render_stopped_for_memory_says_too_large_or_too_complex(client, hub, world, reason):
    resource_id = published_with(hub, world, "封面.png", png_bomb())
    mark_failed(hub, resource_id, reason)
    answer = client.get(f"/api/v1/resources/{resource_id}/preview")
    assert answer.status_code == 422 and answer.json["message"].startswith(TOO_MUCH)
    assert TOO_MUCH in client.get(f"/r/{resource_id}").get_data(as_text=True)


def test_a_private_failed_preview_stays_a_404_for_strangers(client, hub, world):
    """The failure says nothing about a record the caller may not read."""
    resource_id = published_with(hub, world, "封面.png", png_bomb(), visibility="org")
    answer = client.get(f"/api/v1/resources/{resource_id}/preview")
    assert answer.status_code == 404
    assert "无法预览" not in answer.get_data(as_text=True)


def test_a_file_with_no_preview_kind_is_still_a_plain_404(client, hub, world):
    resource_id = published_with(hub, world, "说明.txt", "先读课文。".encode())
    assert client.get(f"/api/v1/resources/{resource_id}/preview").status_code == 404
    assert "无法预览" not in client.get(f"/r/{resource_id}").get_data(as_text=True)
