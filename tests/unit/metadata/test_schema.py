"""The canonical record schemas: what is accepted, how it is normalised, and what a wrong field is
told."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import ValidationError

from hub.errors import flatten_messages
from metadata.schema import (
    INPUT_FIELDS,
    ResourceInputSchema,
    ResourcePatchSchema,
    ResourceRecordSchema,
    consistency_errors,
    infer_stage,
    normalise_record,
)

VALID = {
    "title": "认识百分数",
    "description": "人教版六年级上册第六单元。",
    "language": "zh",
    "stage": "primary",
    "subjects": ["math"],
    "grades": ["g6"],
    "edition": "pep",
    "volume": "vol1",
    "chapter": "第六单元 百分数（一）",
    "type": "courseware",
    "themes": ["yellow-river"],
    "keywords": ["百分数", "分数"],
    "license": "CC-BY-4.0",
    "creators": [{"name": "马老师", "role": "author"}],
    "region": "640104",
    "visibility": "public",
    "org": "yc-school-1",
}


def load(data, schema=ResourceInputSchema):
    return schema().load(data)


def errors_of(data, schema=ResourceInputSchema) -> dict:
    with pytest.raises(ValidationError) as info:
        schema().load(data)
    return info.value.messages


def test_a_complete_valid_record_loads_unchanged():
    assert load(VALID) == VALID


def test_a_title_alone_is_enough_and_gets_the_defaults():
    assert load({"title": "黄河几字弯"}) == {
        "title": "黄河几字弯",
        "language": "zh",
        "visibility": "public",
    }


def test_text_is_stripped_nfc_normalised_and_single_line():
    data = load(
        {
            "title": "  认识\n  百分数 ",
            "description": " 第一行  \r\n第二行\n\n ",
            "chapter": "Cafe\u0301",
        }
    )
    assert data["title"] == "认识 百分数"
    assert data["description"] == "第一行\n第二行"
    assert data["chapter"] == "Café"


def test_lists_lose_repeats_and_grades_are_ordered():
    data = load(
        {
            "title": "t",
            "grades": ["g9", "g7", "g9"],
            "keywords": ["Energy", "energy", "光伏"],
            "subjects": ["physics", "physics"],
        }
    )
    assert data["grades"] == ["g7", "g9"]
    assert data["keywords"] == ["Energy", "光伏"]
    assert data["subjects"] == ["physics"]


def test_the_stage_is_taken_from_the_grades_when_they_agree():
    assert load({"title": "t", "grades": ["g10", "g11"]})["stage"] == "senior"
    assert "stage" not in load({"title": "t", "grades": ["g6", "g7"]})
    assert infer_stage(["g1", "g2"]) == "primary" and infer_stage([]) is None


def test_creators_may_be_names_or_objects_and_are_always_objects():
    data = load(
        {
            "title": "t",
            "creators": ["张老师", {"name": "宁夏教育出版社", "role": "publisher"}, "张老师"],
        }
    )
    assert data["creators"] == [
        {"name": "张老师", "role": "author"},
        {"name": "宁夏教育出版社", "role": "publisher"},
    ]


@pytest.mark.parametrize(
    "title, expected",
    [
        ("", "标题不能为空。Title must not be empty."),
        ("   \n ", "标题不能为空。Title must not be empty."),
        (None, "此项不能为 null。This field may not be null."),
        (12, "应为文本（字符串）。Must be a text string."),
    ],
)
def test_a_bad_title_is_told_in_chinese_then_english(title, expected):
    assert errors_of({"title": title}) == {"title": [expected]}


def test_a_missing_title_is_required():
    assert errors_of({})["title"] == ["此项为必填项。This field is required."]


def test_a_long_title_is_refused_with_the_limit():
    assert "500" in errors_of({"title": "长" * 501})["title"][0]
    assert load({"title": "长" * 500})["title"] == "长" * 500


@pytest.mark.parametrize("text", ["a\x00b", "a\x7fb", "a\ud800b", "a\uffffb"])
def test_characters_xml_and_postgresql_cannot_carry_are_refused(text):
    assert "控制字符" in errors_of({"title": text})["title"][0]
    assert "控制字符" in errors_of({"title": "t", "description": text})["description"][0]


@pytest.mark.parametrize(
    "field, value, vocabulary, listed",
    [
        ("stage", "college", "stages", "preschool, primary, junior, senior"),
        ("volume", "vol3", "volumes", "vol1, vol2, full"),
        ("visibility", "secret", "visibility", "public, region, org"),
        ("license", "GPL-3.0", "licenses", "CC-BY-4.0"),
        ("type", "video", "types", "courseware"),
    ],
)
def test_a_wrong_code_names_the_field_and_the_allowed_codes(field, value, vocabulary, listed):
    message = errors_of({"title": "t", field: value})[field][0]
    assert message.startswith(f"{field}：“{value}”")
    assert listed in message and f"{field}: '{value}'" in message


@pytest.mark.parametrize(
    "field, value, vocabulary",
    [
        ("region", "110000", "regions"),
        ("edition", "renjiao", "editions"),
        ("subjects", ["maths"], "subjects"),
    ],
)
def test_a_wrong_code_in_a_long_vocabulary_points_to_the_api(field, value, vocabulary):
    messages = errors_of({"title": "t", field: value})[field]
    message = messages[0] if isinstance(messages, list) else messages[0][0]
    assert f"GET /api/v1/vocabularies/{vocabulary}" in message


def test_list_errors_say_which_item():
    errors = flatten_messages(errors_of({"title": "t", "themes": ["red-culture", "mars"]}))
    assert errors[0]["field"] == "themes.1" and "mars" in errors[0]["messages"][0]


def test_a_string_where_a_list_belongs_is_refused():
    assert "列表" in errors_of({"title": "t", "subjects": "math"})["subjects"][0]


def test_keywords_are_limited_in_length_and_number():
    assert "50" in errors_of({"title": "t", "keywords": ["词" * 51]})["keywords"][0][0]
    assert (
        "30" in errors_of({"title": "t", "keywords": [f"k{i}" for i in range(31)]})["keywords"][0]
    )
    assert (
        len(load({"title": "t", "keywords": [f"k{i}" for i in range(30)] + ["K0"]})["keywords"])
        == 30
    )


def test_grades_must_belong_to_the_stage():
    message = errors_of({"title": "t", "stage": "primary", "grades": ["g6", "g7"]})["grades"][0]
    assert "g7" in message and "g1, g2, g3, g4, g5, g6" in message


def test_subjects_must_be_taught_in_the_stage():
    message = errors_of({"title": "t", "stage": "primary", "subjects": ["chinese", "physics"]})[
        "subjects"
    ][0]
    assert message.startswith("学科 physics 在学段 primary（小学）中没有开设")


def test_senior_volumes_need_the_senior_stage():
    assert "volume" in errors_of({"title": "t", "stage": "junior", "volume": "compulsory-1"})
    assert (
        load({"title": "t", "stage": "senior", "volume": "compulsory-1"})["volume"]
        == "compulsory-1"
    )


def test_consistency_errors_checks_a_merged_record_for_patch():
    assert consistency_errors({"stage": "junior", "grades": ["g2"]})["grades"]
    assert consistency_errors({"grades": ["g2"]}) == {}


def test_unknown_fields_are_refused_and_told_the_accepted_ones():
    message = errors_of({"title": "t", "subject": "math"})["subject"][0]
    assert message.startswith("未知字段") and "subjects" in message


@pytest.mark.parametrize("body", [[], "text", 3, None])
def test_a_body_that_is_not_an_object_is_refused(body):
    assert errors_of(body) == {"_schema": ["请求体应为 JSON 对象。The body must be a JSON object."]}


def test_the_creator_object_accepts_only_name_and_role():
    assert "creators" in errors_of({"title": "t", "creators": [{"name": "a", "email": "a@b"}]})
    assert (
        "role"
        in errors_of({"title": "t", "creators": [{"name": "a", "role": "boss"}]})["creators"][0]
    )


def test_patch_needs_no_title_sets_no_defaults_and_may_clear():
    assert load({"grades": ["g1"]}, ResourcePatchSchema) == {"grades": ["g1"]}
    assert load({"edition": None, "chapter": None}, ResourcePatchSchema) == {
        "edition": None,
        "chapter": None,
    }
    assert "title" in errors_of({"title": " "}, ResourcePatchSchema)
    assert "visibility" in errors_of({"visibility": None}, ResourcePatchSchema)


def test_patch_still_checks_stage_and_grades_sent_together():
    assert "grades" in errors_of({"stage": "senior", "grades": ["g1"]}, ResourcePatchSchema)


def test_the_record_schema_dumps_the_full_record():
    record = {
        **VALID,
        "id": "0190e4a0-0000-7000-8000-000000000001",
        "version": 2,
        "majors": [],  # every serialised record has the list, empty outside vocational stages
        "status": "published",
        "source": None,
        "external_id": None,
        "origin_url": None,
        "files": [
            {"name": "课件.pptx", "size": 10, "sha256": "0" * 64, "mimetype": "application/x"}
        ],
        "created": datetime(2024, 9, 1, tzinfo=UTC),
        "updated": datetime(2024, 9, 2, tzinfo=UTC),
        "published": None,
        "links": {"self": "/api/v1/resources/x"},
    }
    dumped = ResourceRecordSchema().dump(record)
    assert dumped["created"] == "2024-09-01T00:00:00+00:00"
    assert dumped["files"][0]["name"] == "课件.pptx" and dumped["links"]["self"]
    assert set(INPUT_FIELDS) < set(dumped)


def test_the_record_schema_loads_records_from_a_newer_hub():
    data = ResourceRecordSchema().load(
        {
            **VALID,
            "id": "x",
            "status": "published",
            "future_field": 1,
            "links": {"self": "/x"},
            "created": "2024-09-01T00:00:00Z",
        }
    )
    assert "future_field" not in data and "links" not in data
    assert data["status"] == "published" and data["created"].year == 2024


def test_the_record_schema_checks_vocabularies_too():
    assert "status" in errors_of({"title": "t", "status": "archived"}, ResourceRecordSchema)


def test_normalise_record_tidies_without_validating():
    assert normalise_record(
        {
            "title": " 标题 ",
            "keywords": ["a", " a", "", None, "b"],
            "chapter": "",
            "x": None,
            "grades": ["g1"],
            "n": 3,
        }
    ) == {"title": "标题", "keywords": ["a", "b"], "grades": ["g1"], "n": 3}


def test_the_schemas_document_themselves_in_openapi():
    spec = APISpec("t", "1", "3.0.3", plugins=[MarshmallowPlugin()])
    for schema in (ResourceInputSchema, ResourceRecordSchema):
        spec.components.schema(schema.__name__, schema=schema)
    schemas = spec.to_dict()["components"]["schemas"]
    properties = schemas["ResourceInputSchema"]["properties"]
    assert schemas["ResourceInputSchema"]["required"] == ["title"]
    assert properties["stage"]["enum"] == [
        "preschool",
        "primary",
        "junior",
        "senior",
        "voc-secondary",
        "voc-higher",
        "voc-bachelor",
        "undergraduate",
    ]
    assert "4303" in properties["majors"]["items"]["enum"]
    assert properties["title"]["maxLength"] == 500
    assert properties["subjects"]["items"]["enum"][0] == "chinese"
    assert "oneOf" in properties["creators"]["items"]
    assert schemas["ResourceRecordSchema"]["properties"]["links"]["readOnly"] is True
