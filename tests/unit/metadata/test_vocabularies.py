"""The vocabulary data files and their loader."""

from __future__ import annotations

import json
import re
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from metadata.vocabularies import DATA_DIR, ORDER, load_vocabularies, match_key, parse_vocabulary

FILES = sorted(DATA_DIR.glob("*.json"))
SLUG = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
REGION_CODE = re.compile(r"^64\d{4}$")


@pytest.fixture(scope="module")
def vocabularies():
    return load_vocabularies()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_file_parses_with_unique_codes_and_both_labels(path: Path):
    data = json.loads(path.read_text(encoding="utf-8"))
    vocabulary = parse_vocabulary(data)
    assert vocabulary.name == path.stem
    assert len(set(vocabulary.codes)) == len(vocabulary.codes)
    assert all(term.zh and term.en for term in vocabulary)


def test_every_vocabulary_the_record_needs_is_there(vocabularies):
    assert set(vocabularies.names()) == set(ORDER)
    assert vocabularies.names()[:3] == ("stages", "grades", "subjects")


@pytest.mark.parametrize(
    "name", [n for n in ORDER if n not in ("regions", "licenses", "languages", "majors")]
)
def test_codes_are_lowercase_ascii_slugs(vocabularies, name):
    assert all(SLUG.match(code) for code in vocabularies.get(name).codes)


def test_languages_are_iso_639_1(vocabularies):
    assert all(re.fullmatch("[a-z]{2}", code) for code in vocabularies.get("languages").codes)


def test_licences_are_spdx_ids_plus_all_rights_reserved(vocabularies):
    codes = set(vocabularies.get("licenses").codes)
    assert codes == {
        "CC-BY-4.0",
        "CC-BY-SA-4.0",
        "CC-BY-NC-4.0",
        "CC-BY-NC-SA-4.0",
        "CC-BY-ND-4.0",
        "CC-BY-NC-ND-4.0",
        "CC0-1.0",
        "all-rights-reserved",
    }


def test_every_grade_belongs_to_an_existing_stage(vocabularies):
    stages = vocabularies.get("stages")
    grades = vocabularies.get("grades")
    assert grades.codes == tuple(f"g{n}" for n in range(1, 13))
    assert all(grade.get("stage") in stages for grade in grades)
    assert [g.code for g in grades if g.get("stage") == "junior"] == ["g7", "g8", "g9"]


def test_every_subject_names_existing_stages(vocabularies):
    stages = vocabularies.get("stages")
    for subject in vocabularies.get("subjects"):
        assert subject.get("stages"), subject.code
        assert all(stage in stages for stage in subject.get("stages"))


def test_subjects_carry_the_national_course_codes(vocabularies):
    subjects = vocabularies.get("subjects")
    national = {term.code: term.national for term in subjects}
    assert national["chinese"] == "13" and national["math"] == "14" and national["physics"] == "16"
    assert (
        national["chemistry"] == "17"
        and national["biology"] == "18"
        and national["geography"] == "20"
    )
    assert national["history"] == "21" and national["english"] == "41"


def test_regions_are_ningxia_with_five_cities_and_twenty_two_counties(vocabularies):
    regions = vocabularies.get("regions")
    by_level = {}
    for term in regions:
        assert REGION_CODE.match(term.code)
        by_level.setdefault(term.get("level"), []).append(term)
    assert [t.code for t in by_level["province"]] == ["640000"]
    assert len(by_level["city"]) == 5
    assert len(by_level["county"]) == 22
    assert (
        regions.term("640522").zh == "海原县" and regions.term("640522").get("parent") == "640500"
    )


def test_every_region_parent_exists_one_level_up(vocabularies):
    regions = vocabularies.get("regions")
    parent_level = {"city": "province", "county": "city"}
    for term in regions:
        if term.get("level") == "province":
            assert term.get("parent") is None
            continue
        parent = regions.term(term.get("parent"))
        assert parent is not None and parent.get("level") == parent_level[term.get("level")]
        assert term.code[:2] == parent.code[:2]


def test_aliases_never_point_two_ways(vocabularies):
    # Majors repeat class names from stage to stage (中职, 高职专科 and 职业本科 each have 农业类);
    # their stage-qualified aliases are checked in test_majors.py.
    for vocabulary in (v for v in vocabularies if v.name != "majors"):
        owners = {}
        for term in vocabulary:
            for text in {term.code, term.zh, term.en, *term.aliases}:
                owners.setdefault(match_key(text), set()).add(term.code)
        clashes = {key: codes for key, codes in owners.items() if len(codes) > 1}
        assert not clashes, (vocabulary.name, clashes)


@pytest.mark.parametrize(
    "name, text, code",
    [
        ("subjects", "数学", "math"),
        ("subjects", " Mathematics ", "math"),
        ("subjects", "道法", "morality-law"),
        ("editions", "部编版", "tongbian"),
        ("editions", "人教版", "pep"),
        ("grades", "初一", "g7"),
        ("grades", "七年级", "g7"),
        ("volumes", "上册", "vol1"),
        ("regions", "银川", "640100"),
        ("regions", "吴忠市", "640300"),
        ("licenses", "cc-by-4.0", "CC-BY-4.0"),
        ("stages", "ＰＲＩＭＡＲＹ", "primary"),
    ],
)
def test_lookup_label_matches_code_label_or_alias(vocabularies, name, text, code):
    assert vocabularies.get(name).lookup_label(text) == code


@pytest.mark.parametrize("text", ["", "   ", None, "火星", 14])
def test_lookup_label_of_nothing_known_is_none(vocabularies, text):
    assert vocabularies.get("subjects").lookup_label(text) is None


def test_label_falls_back_to_the_code_when_unknown(vocabularies):
    subjects = vocabularies.get("subjects")
    assert subjects.label("math") == "数学"
    assert subjects.label("math", "en") == "Mathematics"
    assert subjects.label("retired-code") == "retired-code"
    assert subjects.term("retired-code") is None


def test_to_dict_has_both_labels_or_one_language(vocabularies):
    grades = vocabularies.get("grades")
    both = grades.to_dict()
    assert both["label"] == {"zh": "年级", "en": "Grades"}
    assert both["terms"][0] == {
        "code": "g1",
        "zh": "一年级",
        "en": "Grade 1",
        "stage": "primary",
        "aliases": ["小学一年级"],
    }
    english = grades.to_dict("en")
    assert english["label"] == "Grades" and english["terms"][0]["label"] == "Grade 1"


def test_loading_is_cached_and_immutable(vocabularies):
    assert load_vocabularies() is vocabularies
    term = vocabularies.get("grades").term("g1")
    with pytest.raises(FrozenInstanceError):
        term.code = "x"
    with pytest.raises(TypeError):
        term.extra["stage"] = "junior"
    term.to_dict()["aliases"].append("changed")
    assert term.aliases == ("小学一年级",)


def test_unknown_vocabulary_is_a_key_error_naming_the_known_ones(vocabularies):
    with pytest.raises(KeyError, match="subjects"):
        vocabularies.get("planets")


def test_digest_changes_with_the_data(tmp_path):
    digests = []
    for code in ("a", "b"):
        directory = tmp_path / code
        directory.mkdir()
        (directory / "stages.json").write_text(
            json.dumps(
                {
                    "name": "stages",
                    "label": {"zh": "学段", "en": "Stages"},
                    "terms": [{"code": code, "zh": "甲", "en": "A"}],
                }
            )
        )
        digests.append(load_vocabularies(directory).digest)
    assert digests[0] != digests[1]


def test_a_file_whose_name_differs_from_its_vocabulary_is_refused(tmp_path):
    (tmp_path / "grades.json").write_text(
        json.dumps(
            {
                "name": "stages",
                "label": {"zh": "学段", "en": "Stages"},
                "terms": [{"code": "a", "zh": "甲", "en": "A"}],
            }
        )
    )
    with pytest.raises(ValueError, match="expected 'grades'"):
        load_vocabularies(tmp_path)


@pytest.mark.parametrize(
    "data, error",
    [
        ({"label": {"zh": "x", "en": "x"}, "terms": []}, "without a name"),
        (
            {"name": "x", "label": {"zh": "x"}, "terms": [{"code": "a", "zh": "a", "en": "a"}]},
            "label",
        ),
        (
            {"name": "x", "label": {"zh": "x", "en": "x"}, "terms": [{"code": "a", "zh": "a"}]},
            "needs",
        ),
        (
            {
                "name": "x",
                "label": {"zh": "x", "en": "x"},
                "terms": [{"code": "a", "zh": "a", "en": "a"}, {"code": "a", "zh": "b", "en": "b"}],
            },
            "duplicate",
        ),
        ({"name": "x", "label": {"zh": "x", "en": "x"}, "terms": []}, "no terms"),
    ],
)
def test_a_broken_file_is_refused_with_the_reason(data, error):
    with pytest.raises(ValueError, match=error):
        parse_vocabulary(data)


FLAGS = ("rural", "southern_mountain", "resettlement")


def test_every_county_carries_the_three_flags_with_a_known_source(vocabularies):
    raw = json.loads((DATA_DIR / "regions.json").read_text(encoding="utf-8"))
    sources = raw["flag_sources"]
    for term in vocabularies.get("regions"):
        if term.get("level") != "county":
            assert term.get("rural") is None
            continue
        for flag in FLAGS:
            assert isinstance(term.get(flag), bool), (term.zh, flag)
            source = sources[term.get("flag_source")[flag]]
            assert source["flag"] == flag and source["source"]
            assert isinstance(source["certain"], bool)


def test_southern_mountain_counties_are_the_nine_central_southern_ones(vocabularies):
    regions = vocabularies.get("regions")
    flagged = {t.zh for t in regions if t.get("southern_mountain")}
    guyuan = {t.zh for t in regions if t.get("parent") == "640400"}
    assert guyuan == {"原州区", "西吉县", "隆德县", "泾源县", "彭阳县"}
    assert flagged == guyuan | {"海原县", "同心县", "盐池县", "红寺堡区"}


def test_resettlement_areas_are_hongsibu_and_yongning_and_uncertain_ones_say_so(vocabularies):
    regions = vocabularies.get("regions")
    raw = json.loads((DATA_DIR / "regions.json").read_text(encoding="utf-8"))
    assert {t.zh for t in regions if t.get("resettlement")} == {"红寺堡区", "永宁县"}
    minning = raw["flag_sources"][regions.term("640121").get("flag_source")["resettlement"]]
    assert "闽宁镇" in minning["source"] and minning["certain"] is False
    assert regions.term("640104").get("rural") is False  # Xingqing, Yinchuan's centre
    assert regions.term("640522").get("rural") is True  # Haiyuan County
