"""LOM crosswalk: our records round-trip through IEEE LOM; vocabulary codes sit in classification
taxon paths."""

from __future__ import annotations

from hypothesis import given, settings

from metadata.crosswalks.lom import NS, from_lom, to_lom
from metadata.xml import parse_xml, to_bytes
from tests.unit.metadata.crosswalks.strategies import VOCAB, cleaned, records

MAPPED = (
    "stage",
    "subjects",
    "grades",
    "majors",
    "edition",
    "volume",
    "type",
    "themes",
    "license",
    "region",
    "org",
    "language",
    "published",
)


def round_trip(record: dict) -> dict:
    return from_lom(
        parse_xml(to_bytes(to_lom(record, vocab=VOCAB, base_url="http://hub.test"))), vocab=VOCAB
    )


@settings(max_examples=60, deadline=None)
@given(records)
def test_record_survives_a_round_trip_through_lom(record):
    back = round_trip(record)
    assert back["title"] == cleaned(record["title"])
    assert back.get("description", "") == cleaned(record["description"])
    assert back.get("chapter") == cleaned(record["chapter"])
    assert back.get("keywords", []) == list(dict.fromkeys(cleaned(k) for k in record["keywords"]))
    expected_creators = [
        {"name": cleaned(c["name"]), "role": c["role"]} for c in record["creators"]
    ]
    roles_with_lom = {t.code for t in VOCAB.vocabularies.get("creator-roles") if t.get("lom")}
    assert [c["name"] for c in back.get("creators", [])] == [c["name"] for c in expected_creators]
    for mine, theirs in zip(expected_creators, back.get("creators", [])):
        if mine["role"] in roles_with_lom and _lom_unique(mine["role"]):
            assert theirs["role"] == mine["role"]
    for field in MAPPED:
        if record[field]:
            assert back[field] == record[field], field


def _lom_unique(role: str) -> bool:
    """Roles that share a LOM role (several map to 'content provider') cannot come back apart."""
    lom_of = {t.code: t.get("lom") for t in VOCAB.vocabularies.get("creator-roles")}
    return list(lom_of.values()).count(lom_of[role]) == 1


def test_codes_are_in_classification_taxon_paths():
    root = to_lom({"title": "t", "subjects": ["physics"], "stage": "junior"}, vocab=VOCAB)
    taxa = {
        (p.findtext(f"{{{NS}}}source/{{{NS}}}string"), p.findtext(f"{{{NS}}}taxon/{{{NS}}}id"))
        for p in root.iter(f"{{{NS}}}taxonPath")
    }
    assert taxa == {("eduhub:subjects", "physics"), ("eduhub:stages", "junior")}


def test_foreign_lom_without_namespace_maps_taxon_labels():
    xml = """<lom><general><title><string language="en">Fractions</string>\
<string language="zh">分数</string></title>
      <keyword><string language="zh">分数</string></keyword></general>
      <lifeCycle><contribute><role><source>LOMv1.0</source><value>author</value></role>
      <entity>BEGIN:VCARD\nVERSION:3.0\nFN:李老师\nEND:VCARD</entity></contribute></lifeCycle>
      <classification><taxonPath><source><string>学科</string></source>
      <taxon><id>14</id><entry><string language="zh">数学</string></entry></taxon>\
</taxonPath></classification>
    </lom>"""
    record = from_lom(parse_xml(xml), vocab=VOCAB)
    assert record["title"] == "分数"
    assert record["subjects"] == ["math"]
    assert record["creators"] == [{"name": "李老师", "role": "author"}]
