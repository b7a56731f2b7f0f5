"""A hostile 'national platform' on loopback: X-ND-AUTH goes to its file hosts only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.resource_factories import PDF_BYTES
from tests.support.outbound import Peer, admin_headers, failures, sync

FIXTURES = Path(__file__).parents[1] / "fixtures" / "national"
TCH = "/zxx/ndrs/resources/tch_material"
ACCESS_TOKEN = "AT-national-SECRET-77"
SECRET = b"INTERNAL-ONLY"


def item_ids() -> list[str]:
    shards = ("part_100.json", "part_101.json")
    return [i["id"] for s in shards for i in json.loads((FIXTURES / s).read_text("utf-8"))]


def detail(storage: str, size: int) -> dict:
    item = {"ti_size": size, "ti_format": "pdf", "ti_file_flag": "source", "ti_storage": storage}
    return {"ti_items": [{**item, "ti_is_source_file": True, "ti_storages": []}]}


@pytest.fixture
def admin(hub):
    return admin_headers(hub)


@pytest.fixture
def internal():
    server = Peer()
    server.routes["/secret"] = lambda request: (200, {}, SECRET)
    yield server
    server.close()


@pytest.fixture
def platform(internal):
    """The first item's file is on the platform's file host; every other points at `internal`."""
    server = Peer()
    fixture = lambda name: lambda request: (200, {}, (FIXTURES / name).read_bytes())  # noqa: E731
    server.routes[f"{TCH}/version/data_version.json"] = fixture("data_version.json")
    for shard in ("part_100.json", "part_101.json"):
        server.routes[f"{TCH}/{shard}"] = fixture(shard)
    good, *others = item_ids()
    answers = {good: detail("cs_path:${ref-path}/edu_product/good.pdf", len(PDF_BYTES))}
    answers |= {i: detail(internal.url + "/secret", len(SECRET)) for i in others}
    for item_id, body in answers.items():
        path = f"/zxx/ndrv2/resources/tch_material/details/{item_id}.json"
        server.routes[path] = lambda request, body=body: (200, {}, json.dumps(body).encode())
    server.routes["/edu_product/good.pdf"] = lambda request: (
        (200, {}, PDF_BYTES) if "X-ND-AUTH" in request.headers else (401, {}, b"")
    )
    yield server
    server.close()


def test_the_national_mac_header_goes_to_the_file_host_and_nowhere_else(
    hub,
    client,
    admin,
    platform,
    internal,  # noqa: F811
):
    options = {
        "catalogue_hosts": [platform.url],
        "file_hosts": [platform.url],
        "access_token": ACCESS_TOKEN,
        "mac_key": "K",
        "retries": 0,
    }
    body = {
        "name": "national",
        "kind": "national",
        "url": platform.url,
        "fetch_files": True,
        "allow_private_host": True,
        "options": options,
    }
    created = client.post("/api/v1/sources", headers=admin, json=body)
    assert created.status_code == 201, created.get_json()
    run = sync(hub, client, admin, created.get_json()["id"])
    assert run["counts"]["created"] == 1 and run["counts"]["failed"] == len(item_ids()) - 1
    assert internal.requests == []
    (sent,) = platform.hits("/edu_product/good.pdf")
    assert sent["X-ND-AUTH"].startswith(f'MAC id="{ACCESS_TOKEN}"')
    reasons = failures(client, admin, run)
    assert all("outside the source" in f["reason"] for f in reasons)
    assert ACCESS_TOKEN not in json.dumps([run, reasons])
