"""Parsing the platform's shapes: tag trees, manifests (urls as a string or a list), shards and
details."""

from __future__ import annotations

import pytest

from connectors.base import ConnectorError
from connectors.national.catalogue import detail_files, parse_manifest, shard_items, tags_of_tree
from tests.unit.connectors.national.conftest import load


def test_textbook_manifest_urls_are_a_comma_separated_string():
    manifest = parse_manifest(load("data_version.json"))
    assert manifest.version == "1738387200000"
    assert manifest.paths == (
        "/zxx/ndrs/resources/tch_material/part_100.json",
        "/zxx/ndrs/resources/tch_material/part_101.json",
    )


def test_lesson_manifest_urls_are_a_list():
    manifest = parse_manifest(load("lesson_data_version.json"))
    assert manifest.paths == ("/zxx/ndrs/national_lesson/resources/lesson_part_1.json",)


@pytest.mark.parametrize(
    "bad", [{}, {"module_version": "1", "urls": 7}, {"module_version": "1", "urls": [1]}, []]
)
def test_a_manifest_in_another_shape_is_a_clear_error(bad):
    with pytest.raises(ConnectorError, match="data_version.json"):
        parse_manifest(bad)


def test_tag_tree_dimensions_name_the_fields():
    tags = tags_of_tree(load("tch_material_tag.json"))
    fields = {t.tag_name: t.field for t in tags}
    assert (
        fields["小学"] == "stage" and fields["数学"] == "subjects" and fields["人教版"] == "edition"
    )
    assert fields["三年级"] == "grades" and fields["上册"] == "volume"


def test_shard_items_skip_entries_without_an_id():
    assert [i["id"] for i in shard_items([{"id": "a"}, {"title": "x"}, "junk"])] == ["a"]
    with pytest.raises(ConnectorError):
        shard_items("not a list")


def test_detail_lists_stored_files_with_size_and_format():
    detail = load("details/7f0f5b09-2064-51e9-aea3-172b66e1ef4d.json")
    files = detail_files(detail)
    assert [(f.flag, f.format, f.size) for f in files] == [
        ("source", "pdf", 12345678),
        ("thumbnail", "jpg", 2048),
    ]
    assert files[0].storage.startswith("cs_path:${ref-path}/edu_product/")
