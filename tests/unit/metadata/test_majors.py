"""Vocational and higher-education records: the stages and majors vocabularies, the rules that
put majors in place of grades and subjects, and crosswalks that keep stage and majors."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from marshmallow import ValidationError

from metadata import majors as major_rules
from metadata.crosswalks import restrict
from metadata.crosswalks.lom import from_lom, to_lom
from metadata.crosswalks.lrmi import to_lrmi
from metadata.crosswalks.oai_dc import NS_DC, NS_OAI_DC, from_oai_dc, to_oai_dc
from metadata.schema import ResourceInputSchema, ResourcePatchSchema, consistency_errors
from metadata.vocabularies import load_vocabularies, match_key
from metadata.xml import clean, parse_xml, to_bytes
from tests.unit.metadata.crosswalks.strategies import VOCAB, vocational_records

VOCABS = load_vocabularies()
MAJORS = VOCABS.get("majors")
# The catalogue's category codes by stage: 中职 61-79, 高职专科 41-59, 职业本科 21-39; 本科 01-13.
CATEGORY_RANGES = {
    "voc-secondary": range(61, 80),
    "voc-higher": range(41, 60),
    "voc-bachelor": range(21, 40),
    "undergraduate": range(1, 14),
}
BILINGUAL = re.compile(r"[\u4e00-\u9fff].*[A-Za-z]{3,}", re.S)


def errors_of(data: dict, schema=ResourceInputSchema) -> dict:
    with pytest.raises(ValidationError) as caught:
        schema().load(data)
    return caught.value.messages


# -- vocabularies ---------------------------------------------------------------------------------


def test_school_stage_codes_are_unchanged_and_the_new_stages_use_majors():
    stages = VOCABS.get("stages")
    assert stages.codes[:4] == ("preschool", "primary", "junior", "senior")
    assert major_rules.major_stages() == tuple(CATEGORY_RANGES)
    assert all(len(code) <= 16 for code in stages.codes)  # resources.stage is String(16)
    assert stages.lookup_label("高职") == "voc-higher" and stages.lookup_label("中职") == (
        "voc-secondary"
    )


def test_every_major_has_labels_a_known_stage_and_a_code_of_its_level():
    assert len(set(MAJORS.codes)) == len(MAJORS.codes)
    for term in MAJORS:
        assert term.zh and term.en, term.code
        assert term.get("level") in ("category", "class"), term.code
        assert term.get("stage") in CATEGORY_RANGES, term.code
        assert int(term.code[:2]) in CATEGORY_RANGES[term.get("stage")], term.code
        assert len(term.code) == (2 if term.get("level") == "category" else 4), term.code


def test_each_class_sits_under_an_existing_category_of_the_same_stage():
    for term in MAJORS:
        if term.get("level") != "class":
            assert term.get("parent") is None
            continue
        parent = MAJORS.term(term.get("parent"))
        assert parent is not None and parent.get("level") == "category", term.code
        assert parent.get("stage") == term.get("stage") and term.code.startswith(parent.code)


def test_all_nineteen_categories_per_vocational_level_and_the_asked_for_classes():
    for stage in ("voc-secondary", "voc-higher", "voc-bachelor"):
        categories = [t for t in MAJORS if t.get("stage") == stage and t.get("level") == "category"]
        assert len(categories) == 19, stage
        classes = {t.zh for t in MAJORS if t.get("stage") == stage and t.get("level") == "class"}
        assert {"新能源发电工程类", "农业类", "旅游类", "艺术设计类", "文化服务类"} <= classes
    higher = [t for t in MAJORS if t.get("stage") == "voc-higher" and t.get("level") == "class"]
    assert len(higher) == 97  # the catalogue's 97 专业类
    assert MAJORS.term("4303").zh == "新能源发电工程类" and MAJORS.term("5401").zh == "旅游类"
    assert MAJORS.term("41").zh == "农林牧渔大类" and MAJORS.term("4101").zh == "农业类"


def test_stage_qualified_labels_name_exactly_one_major():
    owners: dict[str, set[str]] = {}
    for term in MAJORS:
        for alias in term.aliases:
            owners.setdefault(match_key(alias), set()).add(term.code)
        assert VOCAB.major_for(VOCAB.major_label(term.code)) == term.code
    assert all(len(codes) == 1 for codes in owners.values())
    assert VOCAB.major_for("农业类") is None  # a bare class name is ambiguous


def test_themes_for_the_provinces_vocational_libraries_exist():
    themes = VOCABS.get("themes")
    assert {"new-energy", "modern-agriculture", "cultural-tourism"} <= set(themes.codes)
    assert themes.lookup_label("文旅") == "cultural-tourism"


# -- validation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stage, major",
    [
        ("voc-secondary", "6303"),
        ("voc-higher", "4303"),
        ("voc-bachelor", "21"),
        ("undergraduate", "1209"),
    ],
)
def test_a_record_of_a_major_stage_with_its_own_major_is_valid(stage, major):
    data = ResourceInputSchema().load({"title": "光伏电站运维", "stage": stage, "majors": [major]})
    assert data["stage"] == stage and data["majors"] == [major]


def test_the_stage_is_inferred_from_majors_and_majors_are_kept_in_catalogue_order():
    data = ResourceInputSchema().load({"title": "导游实务", "majors": ["5401", "54"]})
    assert data["stage"] == "voc-higher" and data["majors"] == ["54", "5401"]


def test_a_vocational_record_needs_a_major():
    messages = errors_of({"title": "x", "stage": "voc-higher"})["majors"][0]
    assert "majors" in messages and BILINGUAL.search(messages)


def test_grades_and_subjects_are_refused_for_a_vocational_stage_with_what_to_do():
    errors = errors_of(
        {
            "title": "x",
            "stage": "voc-secondary",
            "majors": ["6101"],
            "grades": ["g10"],
            "subjects": ["math"],
        }
    )
    assert set(errors) == {"grades", "subjects"}
    assert "请删除 grades" in errors["grades"][0] and "remove grades" in errors["grades"][0]


def test_a_major_of_another_level_is_refused_naming_both_stages():
    message = errors_of({"title": "x", "stage": "voc-higher", "majors": ["6303"]})["majors"][0]
    assert "voc-secondary" in message and "voc-higher" in message and BILINGUAL.search(message)


def test_majors_are_refused_on_a_school_stage_and_mixed_levels_without_a_stage():
    assert "majors" in errors_of({"title": "x", "stage": "senior", "majors": ["4303"]})
    assert "majors" in errors_of({"title": "x", "majors": ["4303", "6303"]})
    assert "majors" in errors_of({"title": "x", "majors": ["9999"]})  # not in the vocabulary


def test_a_patch_is_checked_for_what_it_sends_and_the_merged_record_for_the_rest():
    assert ResourcePatchSchema().load({"stage": "voc-higher"}) == {"stage": "voc-higher"}
    assert "majors" in errors_of({"stage": "voc-higher", "majors": []}, ResourcePatchSchema)
    merged = {"stage": "voc-higher", "grades": ["g1"], "subjects": [], "majors": []}
    assert set(consistency_errors(merged)) == {"grades", "majors"}


def test_school_records_are_unchanged_by_the_major_rules():
    data = ResourceInputSchema().load({"title": "百分数", "grades": ["g6"], "subjects": ["math"]})
    assert data["stage"] == "primary" and "majors" not in data


@settings(max_examples=40, deadline=None)
@given(vocational_records)
def test_every_generated_vocational_record_validates(record):
    assert consistency_errors(record) == {}
    assert major_rules.stage_of(record["majors"]) == record["stage"]


# -- crosswalks: a record exported by one hub and harvested by another keeps stage and majors ------


def _valid(back: dict) -> None:
    """What the harvester does with it: the record schema's cross-field rules accept it."""
    assert consistency_errors(back) == {}


@settings(max_examples=30, deadline=None)
@given(vocational_records)
def test_vocational_records_survive_oai_dc(record):
    xml = to_bytes(to_oai_dc(record, vocab=VOCAB, base_url="http://hub.test"))
    back = from_oai_dc(parse_xml(xml), vocab=VOCAB)
    assert back["stage"] == record["stage"] and back["majors"] == record["majors"]
    assert not set(back.get("keywords", [])) & {VOCAB.major_label(m) for m in record["majors"]}
    _valid(back)


@settings(max_examples=30, deadline=None)
@given(vocational_records)
def test_vocational_records_survive_lom(record):
    lom = to_lom(record, vocab=VOCAB, base_url="http://hub.test")
    back = from_lom(parse_xml(to_bytes(lom)), vocab=VOCAB)
    assert back["stage"] == record["stage"] and back["majors"] == record["majors"]
    context = VOCAB.term("stages", record["stage"]).get("lom_context") or "school"
    assert context.encode() in to_bytes(lom)
    _valid(back)


@settings(max_examples=30, deadline=None)
@given(vocational_records)
def test_vocational_records_carry_level_and_majors_in_lrmi(record):
    doc = to_lrmi(record, vocab=VOCAB)
    levels = [t["termCode"] for t in doc["educationalLevel"]]
    assert levels == [record["stage"]]
    alignments = doc["educationalAlignment"]
    assert [a["targetDescription"] for a in alignments] == record["majors"]
    assert all(a["targetName"] == VOCAB.label("majors", a["targetDescription"]) for a in alignments)
    # Read back from the JSON-LD, the codes make the same valid record.
    _valid({"stage": levels[0], "majors": [a["targetDescription"] for a in alignments]})


def test_foreign_dublin_core_with_a_bare_class_name_keeps_it_as_a_keyword():
    xml = (
        '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>t</dc:title>'
        "<dc:subject>农业类</dc:subject><dc:subject>高职专科 旅游类</dc:subject></oai_dc:dc>"
    ).encode()
    back = from_oai_dc(parse_xml(xml), vocab=VOCAB)
    assert back["majors"] == ["5401"] and back["keywords"] == ["农业类"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.builds("major:{}".format, st.text(max_size=12)),
            st.sampled_from([VOCAB.major_label(c) for c in MAJORS.codes[:40]] + ["农业类", "43"]),
            st.text(max_size=12),
        ),
        max_size=8,
    )
)
def test_hostile_dublin_core_subjects_leave_only_known_majors(subjects):
    root = etree.Element(f"{{{NS_OAI_DC}}}dc", nsmap={"oai_dc": NS_OAI_DC, "dc": NS_DC})
    etree.SubElement(root, f"{{{NS_DC}}}title").text = "t"
    for text in subjects:
        etree.SubElement(root, f"{{{NS_DC}}}subject").text = clean(text)
    kept = restrict(from_oai_dc(parse_xml(to_bytes(root)), vocab=VOCAB), VOCAB)
    assert all(code in MAJORS for code in kept.get("majors", []))
