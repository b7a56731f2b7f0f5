"""A version superseded by a newer one is a deleted record to harvesters: one live record per
lineage."""

from __future__ import annotations

from tests.integration.oai.conftest import NS


def new_version(hub, world, record_id, title):
    draft = hub.resources.act(world.contributor, record_id, "new-version")
    hub.resources.update(world.contributor, draft["id"], {"title": title})
    hub.resources.act(world.contributor, draft["id"], "submit")
    return hub.resources.act(world.reviewer, draft["id"], "publish", comment="好")


def test_oai_reports_the_superseded_version_as_deleted(oai, hub, world, published):
    newer = new_version(hub, world, published[0]["id"], "有理数的加法（第二版）")
    doc = oai(verb="ListRecords", metadataPrefix="oai_dc")
    status = {
        r.findtext("o:header/o:identifier", namespaces=NS).rsplit(":", 1)[-1]: r.find(
            "o:header", NS
        ).get("status")
        for r in doc.iterfind(".//o:record", NS)
    }
    assert status[published[0]["id"]] == "deleted"
    assert status[newer["id"]] is None
    got = oai(
        verb="GetRecord", metadataPrefix="lom", identifier=f"oai:localhost:{published[0]['id']}"
    )
    assert got.find(".//o:header", NS).get("status") == "deleted"
    assert got.find(".//o:metadata", NS) is None


def test_the_changes_feed_deletes_the_superseded_version(hub, world, published):
    newer = new_version(hub, world, published[0]["id"], "有理数的加法（第二版）")
    latest_op = {}
    for change in hub.changes.feed(limit=1000)["changes"]:
        latest_op[change["resource"]["id"]] = change["op"]
    assert latest_op[published[0]["id"]] == "delete"
    assert latest_op[newer["id"]] == "upsert"
