"""oai_dc crosswalk: our records round-trip through Dublin Core; foreign Dublin Core maps by
label."""

from __future__ import annotations

from hypothesis import given, settings

from metadata.crosswalks.oai_dc import NS_DC, from_oai_dc, to_oai_dc
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
    return from_oai_dc(
        parse_xml(to_bytes(to_oai_dc(record, vocab=VOCAB, base_url="http://hub.test"))), vocab=VOCAB
    )


@settings(max_examples=60, deadline=None)
@given(records)
def test_record_survives_a_round_trip_through_oai_dc(record):
    back = round_trip(record)
    assert back["title"] == cleaned(record["title"])
    assert back.get("description", "") == cleaned(record["description"])
    assert back.get("chapter") == cleaned(record["chapter"])
    assert back.get("keywords", []) == [cleaned(k) for k in record["keywords"]]
    assert [c["name"] for c in back.get("creators", [])] == [
        cleaned(c["name"]) for c in record["creators"]
    ]
    for field in MAPPED:
        if record[field]:
            assert back[field] == record[field], field


def test_subjects_carry_chinese_labels_and_codes():
    xml = to_bytes(to_oai_dc({"title": "t", "subjects": ["math"]}, vocab=VOCAB))
    subjects = [e.text for e in parse_xml(xml).iter(f"{{{NS_DC}}}subject")]
    assert subjects == ["数学", "subject:math"]


def test_control_characters_are_stripped_from_output():
    xml = to_bytes(to_oai_dc({"title": "黄河\x00文化\x1b课\ufffe"}, vocab=VOCAB))
    assert from_oai_dc(parse_xml(xml))["title"] == "黄河文化课"


def test_foreign_dublin_core_maps_labels_to_codes_and_keeps_the_rest_as_keywords():
    xml = f"""<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" \
xmlns:dc="{NS_DC}">
      <dc:title> 分数的初步认识 </dc:title><dc:creator>王老师</dc:creator>
      <dc:subject>数学</dc:subject><dc:subject>Mathematics</dc:subject><dc:subject>分数</dc:subject>
      <dc:subject>小学</dc:subject><dc:type>课件</dc:type><dc:coverage>银川</dc:coverage>
      <dc:rights>https://creativecommons.org/licenses/by-sa/4.0/</dc:rights>
      <dc:identifier>https://repo.example.org/item/7</dc:identifier><dc:language>zh-CN</dc:language>
    </oai_dc:dc>"""
    record = from_oai_dc(parse_xml(xml), vocab=VOCAB)
    assert record["title"] == "分数的初步认识"
    assert record["subjects"] == ["math"]
    assert record["stage"] == "primary"
    assert record["type"] == "courseware"
    assert record["region"] == "640100"
    assert record["license"] == "CC-BY-SA-4.0"
    assert record["keywords"] == ["分数"]
    assert record["origin_url"] == "https://repo.example.org/item/7"
    assert record["language"] == "zh"
    assert record["creators"] == [{"name": "王老师", "role": "author"}]


def test_identifiers_are_absolute_links_to_the_resource_page():
    xml = to_bytes(
        to_oai_dc(
            {"id": "abc", "title": "t", "links": {"html": "/r/abc"}}, base_url="https://hub.nx"
        )
    )
    identifiers = [e.text for e in parse_xml(xml).iter(f"{{{NS_DC}}}identifier")]
    assert identifiers == ["https://hub.nx/r/abc", "urn:uuid:abc"]
