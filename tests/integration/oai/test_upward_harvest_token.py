"""OAI-PMH with a harvest token bound to an organisation: the subtree's records, still valid."""

from __future__ import annotations

import pytest
from lxml import etree

from tests.factories import auth_header, make_org, make_user
from tests.integration.oai.conftest import NS, identifiers
from tests.support.upward import publish_record

LITONG = "640302"


@pytest.fixture
def token(hub):
    make_org(hub, code="litong-1", kind="school", region=LITONG)
    admin = make_user(hub, email="admin@litong1.cn", org="litong-1", role="org_admin")
    for visibility in ("public", "region", "org"):
        publish_record(hub, "litong-1", f"记录 {visibility}", visibility=visibility, region=LITONG)
    return hub.accounts.create_token(admin, name="county", org="litong-1")[0]


def _list(client, schema, prefix: str, headers=None, **more):
    args = {"verb": "ListRecords", "metadataPrefix": prefix, **more}
    response = client.get("/oai", query_string=args, headers=headers or {})
    assert response.status_code == 200
    document = etree.fromstring(response.data)
    schema.assertValid(document)
    return document


def test_a_bound_token_lists_the_subtree_records_with_their_visibility(client, oai_schema, token):
    document = _list(client, oai_schema, "oai_dc", auth_header(token), set="org:litong-1")
    rights = [e.text for e in document.iterfind(".//dc:rights", NS)]
    assert len(identifiers(document)) == 3
    assert sorted(r for r in rights if r.startswith("visibility:")) == [
        "visibility:org",
        "visibility:region",
    ]
    lom = _list(client, oai_schema, "lom", auth_header(token))
    taxa = [
        e.text for e in lom.iterfind(".//lom:classification/lom:taxonPath/lom:taxon/lom:id", NS)
    ]
    assert {"region", "org"} <= set(taxa)


def test_without_a_token_only_the_public_record_and_no_visibility_marker(client, oai_schema, token):
    for prefix in ("oai_dc", "lom"):
        document = _list(client, oai_schema, prefix)
        assert len(identifiers(document)) == 1
        assert b"visibility" not in etree.tostring(document)
