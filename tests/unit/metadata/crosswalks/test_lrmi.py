"""LRMI: a record as schema.org LearningResource JSON-LD."""

from __future__ import annotations

import json

from hypothesis import given, settings

from metadata.crosswalks.lrmi import to_lrmi
from tests.unit.metadata.crosswalks.strategies import VOCAB, records


def test_learning_resource_carries_levels_subjects_licence_and_files():
    doc = to_lrmi(
        {
            "id": "r1",
            "title": "认识百分数",
            "stage": "primary",
            "grades": ["g6"],
            "subjects": ["math"],
            "type": "courseware",
            "license": "CC-BY-4.0",
            "creators": [{"name": "张老师", "role": "author"}],
            "published": "2025-03-01T08:00:00Z",
            "links": {"html": "/r/r1", "files": {"a.pdf": "/f/a.pdf"}},
            "files": [{"name": "a.pdf", "size": 10, "sha256": "00", "mimetype": "application/pdf"}],
        },
        vocab=VOCAB,
        base_url="https://hub.nx",
    )
    assert doc["@type"] == "LearningResource" and doc["@id"] == "https://hub.nx/r/r1"
    assert [t["termCode"] for t in doc["educationalLevel"]] == ["primary", "g6"]
    assert doc["about"][0]["name"] == "数学"
    assert doc["learningResourceType"] == "课件"
    assert doc["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert doc["creator"] == [{"@type": "Person", "name": "张老师"}]
    assert doc["encoding"][0]["contentUrl"] == "https://hub.nx/f/a.pdf"


@settings(max_examples=50, deadline=None)
@given(records)
def test_every_record_serialises_as_json(record):
    assert (
        json.loads(json.dumps(to_lrmi(record, vocab=VOCAB), ensure_ascii=False))["name"]
        == record["title"]
    )
