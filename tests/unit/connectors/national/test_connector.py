"""The national connector over the recorded fixtures: first run, no-change run, a changed shard, odd
cases."""

from __future__ import annotations

import json

from connectors.base import Delete, Failed, Upsert
from tests.unit.connectors.national.conftest import make_connector

S3 = "0b311c3e-172b-5d53-b05a-d21ea80a327f"  # has no detail JSON (404)
M3 = "9261f6ed-0db9-59a5-8f63-38a833f4c584"
H7 = "401050b1-3e0b-5055-b91a-f0a38d343451"
C9 = "d869879f-41e2-5fad-b101-853c04ec288f"


def by_kind(items):
    return {
        kind.__name__: sorted(i.external_id for i in items if isinstance(i, kind))
        for kind in (Upsert, Delete, Failed)
    }


def test_first_run_yields_every_item_and_a_missing_detail_as_failed(platform):
    items = list(make_connector(platform).harvest(None, full=False))
    kinds = by_kind(items)
    assert len(kinds["Upsert"]) == 4 and kinds["Failed"] == [S3] and kinds["Delete"] == []
    failed = next(i for i in items if isinstance(i, Failed))
    assert "404" in failed.reason and failed.payload["id"] == S3
    assert [i.cursor_after is not None for i in items] == [False] * 4 + [True]
    upsert = next(i for i in items if isinstance(i, Upsert))
    assert upsert.files == []  # metadata and links only by default
    assert upsert.record["provenance"]["files"][0].startswith(platform.url + "/edu_product/")


def test_an_unchanged_module_version_fetches_no_shards(platform):
    connector = make_connector(platform)
    cursor = list(connector.harvest(None, full=False))[-1].cursor_after
    before = len(platform.requests)
    assert list(make_connector(platform).harvest(cursor, full=False)) == []
    assert [r[0] for r in platform.requests[before:]] == [
        "/zxx/ndrs/resources/tch_material/version/data_version.json"
    ]


def test_a_changed_shard_yields_only_changed_new_removed_and_earlier_failures(platform):
    cursor = list(make_connector(platform).harvest(None, full=False))[-1].cursor_after
    platform.manifest = "data_version_v2.json"
    items = list(make_connector(platform).harvest(cursor, full=False))
    assert by_kind(items) == {"Upsert": sorted([M3, C9]), "Delete": [H7], "Failed": [S3]}
    state = json.loads(items[-1].cursor_after)["tch_material"]
    assert state["version"] == "1740819600000" and S3 not in state["items"]


def test_full_run_ignores_the_cursor(platform):
    cursor = list(make_connector(platform).harvest(None, full=False))[-1].cursor_after
    assert len(list(make_connector(platform).harvest(cursor, full=True))) == 5


def test_lessons_module_reads_a_list_of_urls(platform):
    modules = {
        "national_lesson": {
            "manifest": "/zxx/ndrs/national_lesson/version/data_version.json",
            "detail": "/zxx/ndrv2/resources/tch_material/details/{id}.json",
        }
    }
    items = list(make_connector(platform, modules=modules).harvest(None, full=False))
    assert [type(i) for i in items] == [Upsert]
    assert items[0].record["type"] == "lesson-record" and items[0].record["grades"] == ["g5"]


def test_with_files_enabled_each_file_carries_its_mac_header(platform):
    connector = make_connector(platform, fetch_files=True, access_token="T", mac_key="K")
    upsert = next(i for i in connector.harvest(None, full=False) if isinstance(i, Upsert))
    [remote] = upsert.files  # the source file; thumbnails are left out
    assert (
        remote.url.startswith(platform.url + "/edu_product/")
        and remote.mimetype == "application/pdf"
    )
    assert remote.headers["X-ND-AUTH"].startswith('MAC id="T",nonce="')
