"""National tag ids -> local vocabulary codes, and a catalogue item -> canonical record.

`tag_map.json` is built from the platform's tag trees by matching tag names to vocabulary labels
(`build_tag_map`); tags nothing matches stay keywords on the record and are listed in the build
report.
"""

from __future__ import annotations

import json
from pathlib import Path

from connectors.national.catalogue import DIMENSIONS, Tag, tags_of_tree
from metadata.crosswalks import CODED_FIELDS, VocabLookup, restrict

TAG_MAP_PATH = Path(__file__).with_name("tag_map.json")
# resource_type_code -> local type code (assets_document is the e-textbook itself).
RESOURCE_TYPES = {
    "assets_document": "e-textbook",
    "national_lesson": "lesson-record",
    "assets_video": "micro-lecture",
    "coursewares": "courseware",
    "lesson_plandesign": "lesson-plan",
    "lesson_exercise": "exercise",
}
ORIGIN_URL = (
    "https://basic.smartedu.cn/tchMaterial/detail?contentType=assets_document&contentId={id}"
)


def build_tag_map(trees: list[dict], vocab: VocabLookup) -> tuple[dict[str, dict], list[dict]]:
    """(tag_id -> {"field", "code", "name"}, unmatched tags as {"tag_id", "tag_name", "field"})."""
    mapping: dict[str, dict] = {}
    unmatched: dict[str, dict] = {}
    for tree in trees:
        for tag in tags_of_tree(tree):
            code = _code_for(tag.field, tag.tag_name, vocab)
            if code:
                mapping[tag.tag_id] = {"field": tag.field, "code": code, "name": tag.tag_name}
            elif tag.tag_id not in mapping:
                unmatched[tag.tag_id] = {
                    "tag_id": tag.tag_id,
                    "tag_name": tag.tag_name,
                    "field": tag.field,
                }
    return mapping, [u for tag_id, u in unmatched.items() if tag_id not in mapping]


def _code_for(field: str | None, name: str, vocab: VocabLookup) -> str | None:
    if field not in CODED_FIELDS:
        return None
    return vocab.code_for(CODED_FIELDS[field][0], name)


def load_tag_map(path: Path = TAG_MAP_PATH) -> dict[str, dict]:
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8")).get("tags", {})


class TagCrosswalk:
    """Maps an item's tag_list with the recorded map first, then by name within the tag's
    dimension."""

    def __init__(self, vocab: VocabLookup, tag_map: dict[str, dict] | None = None):
        self.vocab = vocab
        self.tag_map = load_tag_map() if tag_map is None else tag_map
        self.unmatched: dict[str, str] = {}

    def record(self, item: dict, *, origin_url: str = ORIGIN_URL) -> dict:
        """The canonical fields of one catalogue item; tag ids stay with it as provenance."""
        record: dict = {
            "title": str(item.get("title") or "").strip(),
            "subjects": [],
            "grades": [],
            "keywords": [],
            "type": RESOURCE_TYPES.get(item.get("resource_type_code") or ""),
            "language": "zh",
        }
        for tag in sorted(item.get("tag_list") or (), key=lambda t: t.get("order_num") or 0):
            self._apply(record, tag)
        record["creators"] = [
            {"name": p["name"], "role": "publisher"}
            for p in item.get("provider_list") or ()
            if isinstance(p, dict) and p.get("name")
        ]
        record["origin_url"] = origin_url.format(id=item["id"])
        record["provenance"] = {
            "platform": "national",
            "id": item["id"],
            "tag_ids": [t.get("tag_id") for t in item.get("tag_list") or ()],
            "tag_paths": list(item.get("tag_paths") or ()),
            "update_time": item.get("update_time"),
        }
        return restrict({k: v for k, v in record.items() if v not in (None, "", [])}, self.vocab)

    def _apply(self, record: dict, tag: dict) -> None:
        tag_id, name = str(tag.get("tag_id") or ""), str(tag.get("tag_name") or "").strip()
        field = DIMENSIONS.get(tag.get("tag_dimension_id") or "")
        known = self.tag_map.get(tag_id)
        code = known["code"] if known else _code_for(field, name, self.vocab)
        field = known["field"] if known else field
        if not code:
            if name:
                self.unmatched.setdefault(tag_id, name)
                record["keywords"].append(name)
            return
        if field in ("subjects", "grades"):
            if code not in record[field]:
                record[field].append(code)
        else:
            record.setdefault(field, code)


def tag_of(tag: Tag) -> dict:
    return {"tag_id": tag.tag_id, "tag_name": tag.tag_name, "field": tag.field}
