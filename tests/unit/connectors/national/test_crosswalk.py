"""National tags -> local vocabulary codes: the data file, names matched per dimension, the rest as
keywords."""

from __future__ import annotations

from connectors.national.crosswalk import TagCrosswalk, build_tag_map, load_tag_map
from metadata.crosswalks import default_lookup
from tests.unit.connectors.national.conftest import load

VOCAB = default_lookup()


def test_tag_map_data_file_covers_every_matchable_fixture_tag():
    trees = [load("tch_material_tag.json"), load("national_lesson_tag.json")]
    mapping, unmatched = build_tag_map(trees, VOCAB)
    recorded = load_tag_map()
    assert {k: v["code"] for k, v in mapping.items()}.items() <= {
        k: v["code"] for k, v in recorded.items()
    }.items()
    assert {u["tag_name"] for u in unmatched} == {
        "冀人版",
        "沪粤版",
        "中国历史",
        "特殊教育",
        "生活语文",
    }


def test_item_maps_to_codes_and_keeps_tag_ids_as_provenance():
    item = load("part_100.json")[1]
    record = TagCrosswalk(VOCAB).record(item)
    assert (
        record["stage"],
        record["subjects"],
        record["edition"],
        record["grades"],
        record["volume"],
    ) == ("primary", ["math"], "bnu", ["g3"], "vol2")
    assert record["type"] == "e-textbook"
    assert record["creators"] == [{"name": "北京师范大学出版社", "role": "publisher"}]
    assert record["provenance"]["tag_ids"] == [t["tag_id"] for t in item["tag_list"]]
    assert record["origin_url"].endswith(item["id"])


def test_unmatched_tags_stay_as_keywords_and_are_reported():
    crosswalk = TagCrosswalk(VOCAB)
    record = crosswalk.record(load("part_101.json")[0])
    assert record["keywords"] == ["冀人版"] and "edition" not in record
    assert list(crosswalk.unmatched.values()) == ["冀人版"]


def test_curated_entries_in_the_data_file_win_over_names():
    record = TagCrosswalk(VOCAB).record(load("part_101.json")[2])
    assert record["subjects"] == ["history"]  # 中国历史, curated in tag_map.json
