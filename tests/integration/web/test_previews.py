"""Preview images through HTTP: the API route with cache headers and visibility, the resource page
and the hits."""

from __future__ import annotations

import io

from PIL import Image

from tests.resource_factories import make_world, valid_record


def png_bytes(size=(900, 600)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (30, 90, 160)).save(buf, "PNG")
    return buf.getvalue()


def publish_with_image(hub, world, name="封面.png", data=None, **overrides) -> dict:
    record = hub.resources.create(world.contributor, valid_record(**overrides))
    data = png_bytes() if data is None else data
    hub.files.upload(
        world.contributor, record["id"], name, io.BytesIO(data), content_length=len(data)
    )
    hub.resources.act(world.contributor, record["id"], "submit")
    return hub.resources.act(world.reviewer, record["id"], "publish", comment="好")


def setup(hub):
    return make_world(hub)


def test_preview_route_serves_the_png_with_long_cache_headers(hub, client):
    world = setup(hub)
    record = publish_with_image(hub, world, title="分数的意义 课件")
    assert (
        client.get(f"/api/v1/resources/{record['id']}/preview").status_code == 404
    )  # not made yet
    hub.outbox.process()
    response = client.get(f"/api/v1/resources/{record['id']}/preview")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert (
        "max-age=86400" in response.headers["Cache-Control"]
        and "public" in response.headers["Cache-Control"]
    )
    assert Image.open(io.BytesIO(response.data)).size == (640, 427)
    again = client.get(
        f"/api/v1/resources/{record['id']}/preview",
        headers={"If-None-Match": response.headers["ETag"]},
    )
    assert again.status_code == 304


def test_preview_of_a_resource_the_reader_cannot_see_is_404(hub, client):
    world = setup(hub)
    record = publish_with_image(hub, world, visibility="org")
    hub.outbox.process()
    assert client.get(f"/api/v1/resources/{record['id']}/preview").status_code == 404
    token = world.tokens["c"]
    own = client.get(
        f"/api/v1/resources/{record['id']}/preview", headers={"Authorization": f"Bearer {token}"}
    )
    assert own.status_code == 200 and own.headers["Cache-Control"].startswith("private")


def test_preview_of_an_unknown_resource_is_404(hub, client):
    assert client.get("/api/v1/resources/nope/preview").status_code == 404


def test_resource_page_and_search_hits_show_the_preview(hub, client):
    world = setup(hub)
    record = publish_with_image(hub, world, title="黄河流域 地理 图片")
    plain = publish_with_image(
        hub, world, name="教案.txt", data="黄河流域 教案".encode(), title="黄河流域 无图 教案"
    )
    hub.outbox.process()
    page = client.get(f"/r/{record['id']}").get_data(as_text=True)
    src = f"/api/v1/resources/{record['id']}/preview"
    assert (
        f'src="{src}" width="640" height="427"' in page
        and 'alt="黄河流域 地理 图片 的预览图' in page
    )
    hits = client.get("/?q=黄河流域").get_data(as_text=True)
    assert f'class="thumb" src="{src}"' in hits
    assert f"/api/v1/resources/{plain['id']}/preview" not in hits
    assert f"/api/v1/resources/{plain['id']}/preview" not in client.get(
        f"/r/{plain['id']}"
    ).get_data(as_text=True)
