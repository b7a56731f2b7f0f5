"""Resumption tokens: stateless, signed, with completeListSize and cursor; Sickle harvests
everything through them."""

from __future__ import annotations

import pytest
from sickle import Sickle

from hub.services import oai as oai_service
from tests.integration.oai.conftest import NS, errors, identifiers


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(oai_service, "PAGE_SIZE", 2)


def test_tokens_walk_the_whole_list_with_size_and_cursor(oai, published, small_pages):
    first = oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = first.find(".//o:resumptionToken", NS)
    assert (token.get("completeListSize"), token.get("cursor")) == ("3", "0")
    second = oai(verb="ListIdentifiers", resumptionToken=token.text)
    last = second.find(".//o:resumptionToken", NS)
    assert (last.text, last.get("completeListSize"), last.get("cursor")) == (None, "3", "2")
    assert sorted(identifiers(first) + identifiers(second)) == sorted(
        f"oai:localhost:{r['id']}" for r in published
    )


def test_a_tampered_token_or_one_for_another_verb_is_refused(oai, published, small_pages):
    token = oai(verb="ListRecords", metadataPrefix="lom").findtext(
        ".//o:resumptionToken", namespaces=NS
    )
    body, _, tag = token.partition(".")
    tampered = body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + tag
    assert errors(oai(verb="ListRecords", resumptionToken=tampered)) == ["badResumptionToken"]
    assert errors(oai(verb="ListIdentifiers", resumptionToken=token)) == ["badResumptionToken"]
    assert len(identifiers(oai(verb="ListRecords", resumptionToken=token))) == 1


def test_a_record_changed_mid_harvest_is_not_lost(oai, hub, world, published, small_pages):
    first = oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
    seen = identifiers(first)
    changed_id = seen[0].rsplit(":", 1)[1]
    record = hub.resources.get(world.contributor, changed_id)
    hub.resources.withdraw(world.contributor, record["id"])
    token = first.findtext(".//o:resumptionToken", namespaces=NS)
    rest = []
    while token:
        page = oai(verb="ListIdentifiers", resumptionToken=token)
        rest += identifiers(page)
        token = page.findtext(".//o:resumptionToken", namespaces=NS)
    assert seen[0] in rest  # it moved to the end with its new datestamp, as a deletion
    assert set(seen + rest) == {f"oai:localhost:{r['id']}" for r in published}


def test_sickle_harvests_every_record_through_resumption_tokens(
    live_server, published, small_pages
):
    sickle = Sickle(f"{live_server}/oai", max_retries=0, timeout=10)
    harvested = list(sickle.ListRecords(metadataPrefix="oai_dc"))
    assert sorted(r.header.identifier.rsplit(":", 1)[1] for r in harvested) == sorted(
        r["id"] for r in published
    )
    assert {r.metadata["title"][0] for r in harvested} == {
        "有理数的加法",
        "有理数的减法",
        "力与运动",
    }
    assert len(list(sickle.ListIdentifiers(metadataPrefix="lom", set="subject:math"))) == 2
    assert [s.setSpec for s in sickle.ListSets()][:3] == ["stage", "subject", "org"]
