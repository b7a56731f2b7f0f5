"""The OAI-PMH provider at /oai: six verbs, formats, sets, deletions, dates and protocol errors,
schema-valid."""

from __future__ import annotations

import pytest

from tests.integration.oai.conftest import NS, errors, identifiers


def test_identify_states_granularity_and_persistent_deletions(oai, published):
    doc = oai(verb="Identify")
    assert doc.findtext("o:Identify/o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert doc.findtext("o:Identify/o:deletedRecord", namespaces=NS) == "persistent"
    assert doc.findtext("o:Identify/o:baseURL", namespaces=NS) == "http://localhost/oai"
    assert doc.find("o:request", NS).get("verb") == "Identify"


def test_list_metadata_formats_offers_oai_dc_and_lom(oai):
    doc = oai(verb="ListMetadataFormats")
    assert [e.text for e in doc.iterfind(".//o:metadataPrefix", NS)] == ["oai_dc", "lom"]


def test_list_sets_names_stages_subjects_and_organisations(oai, world):
    specs = [e.text for e in oai(verb="ListSets").iterfind(".//o:setSpec", NS)]
    assert {"stage", "stage:junior", "subject:math", "org:xq-school-1"} <= set(specs)


@pytest.mark.parametrize("prefix", ["oai_dc", "lom"])
def test_list_records_shows_published_public_records_only(oai, published, prefix):
    doc = oai(verb="ListRecords", metadataPrefix=prefix)
    assert sorted(identifiers(doc)) == sorted(f"oai:localhost:{r['id']}" for r in published)
    assert doc.find(".//o:resumptionToken", NS) is None
    assert len(doc.findall(".//o:metadata", NS)) == 3


def test_get_record_in_dublin_core_has_labels_codes_and_sets(oai, published):
    record = published[2]
    doc = oai(verb="GetRecord", metadataPrefix="oai_dc", identifier=f"oai:localhost:{record['id']}")
    subjects = [e.text for e in doc.iterfind(".//dc:subject", NS)]
    assert "物理" in subjects and "subject:physics" in subjects
    assert doc.findtext(".//dc:title", namespaces=NS) == "力与运动"
    sets = [e.text for e in doc.iterfind(".//o:header/o:setSpec", NS)]
    assert sets == ["stage:junior", "subject:physics", "org:xq-school-1"]


def test_withdrawn_record_stays_as_a_deleted_header(oai, hub, world, published):
    hub.resources.withdraw(world.contributor, published[0]["id"])
    doc = oai(verb="ListRecords", metadataPrefix="oai_dc")
    deleted = [
        r
        for r in doc.iterfind(".//o:record", NS)
        if r.find("o:header", NS).get("status") == "deleted"
    ]
    assert len(deleted) == 1 and deleted[0].find("o:metadata", NS) is None
    got = oai(
        verb="GetRecord", metadataPrefix="lom", identifier=f"oai:localhost:{published[0]['id']}"
    )
    assert got.find(".//o:header", NS).get("status") == "deleted"


def test_sets_select_by_subject_stage_and_organisation(oai, published):
    assert (
        len(identifiers(oai(verb="ListIdentifiers", metadataPrefix="oai_dc", set="subject:math")))
        == 2
    )
    assert (
        len(identifiers(oai(verb="ListIdentifiers", metadataPrefix="oai_dc", set="stage:junior")))
        == 3
    )
    assert (
        len(
            identifiers(oai(verb="ListIdentifiers", metadataPrefix="oai_dc", set="org:xq-school-1"))
        )
        == 3
    )
    assert errors(oai(verb="ListIdentifiers", metadataPrefix="oai_dc", set="subject:chinese")) == [
        "noRecordsMatch"
    ]


def test_from_and_until_bound_the_datestamps(oai, published):
    assert (
        len(
            identifiers(oai(verb="ListIdentifiers", metadataPrefix="lom", **{"from": "2000-01-01"}))
        )
        == 3
    )
    assert errors(
        oai(verb="ListIdentifiers", metadataPrefix="lom", until="2000-01-01T00:00:00Z")
    ) == ["noRecordsMatch"]
    assert errors(
        oai(
            verb="ListIdentifiers",
            metadataPrefix="lom",
            **{"from": "2000-01-01", "until": "2001-01-01T00:00:00Z"},
        )
    ) == ["badArgument"]
    assert errors(oai(verb="ListIdentifiers", metadataPrefix="lom", **{"from": "yesterday"})) == [
        "badArgument"
    ]


def test_post_is_answered_like_get(oai, published):
    assert len(identifiers(oai("POST", verb="ListIdentifiers", metadataPrefix="oai_dc"))) == 3


@pytest.mark.parametrize(
    "args, code",
    [
        ({}, "badVerb"),
        ({"verb": "Explode"}, "badVerb"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "Identify", "extra": "1"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        (
            {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:localhost:nope"},
            "idDoesNotExist",
        ),
        ({"verb": "ListRecords", "resumptionToken": "garbage"}, "badResumptionToken"),
        (
            {"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"},
            "badArgument",
        ),
        ({"verb": "ListSets", "resumptionToken": "x"}, "badResumptionToken"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "colour:red"}, "badArgument"),
    ],
)
def test_protocol_errors_are_reported_in_a_valid_envelope(oai, args, code):
    doc = oai(**args)
    assert errors(doc) == [code]
    if code in ("badVerb", "badArgument"):
        assert dict(doc.find("o:request", NS).attrib) == {}


def test_repeated_argument_is_a_bad_argument(client, oai_schema):
    from lxml import etree

    response = client.get("/oai?verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=lom")
    doc = etree.fromstring(response.data)
    oai_schema.assertValid(doc)
    assert errors(doc) == ["badArgument"]


def test_drafts_are_not_disseminated(oai, hub, world):
    draft = hub.resources.create(world.contributor, {"title": "草稿", "stage": "junior"})
    doc = oai(verb="GetRecord", metadataPrefix="oai_dc", identifier=f"oai:localhost:{draft['id']}")
    assert errors(doc) == ["idDoesNotExist"]
