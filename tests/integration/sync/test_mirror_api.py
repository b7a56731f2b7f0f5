"""A mirror over HTTP: PUT its settings (admins only, each checked), its status with the source."""

from __future__ import annotations

from tests.factories import auth_header, make_token, make_user


def test_an_admin_makes_a_hub_source_a_mirror_and_reads_its_status(hub, client):
    make_user(hub, email="admin@example.cn", admin=True)
    make_user(hub, email="t@example.cn")
    headers = auth_header(make_token(hub, "admin@example.cn"))
    body = {"name": "county", "kind": "hub", "url": "http://127.0.0.1:9/"}
    source = client.post(
        "/api/v1/sources", headers=headers, json=body | {"allow_private_host": True}
    )
    url = f"/api/v1/sources/{source.get_json()['id']}/mirror"
    settings = {"filter": ["stage=primary"], "window": "22:00-06:00", "rate": "2MB/s"}

    teacher = auth_header(make_token(hub, "t@example.cn"))
    assert client.put(url, headers=teacher, json=settings).status_code == 403
    bad = client.put(url, headers=headers, json={"window": "22h-6h"})
    assert bad.status_code == 422 and "22:00-06:00" in str(bad.get_json()["errors"])

    done = client.put(url, headers=headers, json=settings)
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["rate_bytes"] == 2 * 1024 * 1024
    mirror = client.get(url.removesuffix("/mirror"), headers=headers).get_json()["mirror"]
    assert mirror["selection"] == {"stage": ["primary"]} and mirror["window"] == "22:00-06:00"
    assert mirror["pending"] == {"files": 0, "bytes": 0, "bytes_left": 0}
    listed = client.get("/api/v1/sources", headers=headers).get_json()["sources"]
    assert listed[0]["mirror"]["rate"] == "2MB/s"
