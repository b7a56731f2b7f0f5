"""The bundle's own page: index.html, its script, style and data; works from file://."""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources

from hub.bundles import format as fmt
from metadata import analysis
from metadata.crosswalks import VocabLookup

# Facets the page filters by: record field -> vocabulary.
FACETS = {"stage": "stages", "subjects": "subjects", "grades": "grades", "type": "types"}
_TEXT_FIELDS = ("title", "description", "chapter")


def entries(manifest: dict, vocab: VocabLookup) -> Iterator[tuple[str, bytes]]:
    """(entry name, body) of the page's files."""
    assets = resources.files("hub.bundles") / "assets"
    yield fmt.INDEX, (assets / "index.html").read_bytes()
    for name in fmt.ASSETS:
        yield name, (assets / name.split("/")[-1]).read_bytes()
    yield fmt.DATA_JS, data_js(manifest, vocab)


def data_js(manifest: dict, vocab: VocabLookup) -> bytes:
    """A script assigning one global: browsers refuse fetch() of local files, not <script>."""
    records = [_summary(r) for r in manifest["records"]]
    data = {
        "hub": manifest["hub"],
        "created": manifest["created"],
        "records": records,
        "labels": _labels(manifest["records"], vocab),
        "index": _index(manifest["records"]),
    }
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return f"window.EDUHUB_BUNDLE = {body};\n".encode()


def _summary(record: dict) -> dict:
    return {
        "id": record["id"],
        "title": record["title"],
        "description": record.get("description") or "",
        "stage": record.get("stage"),
        "subjects": record.get("subjects") or [],
        "grades": record.get("grades") or [],
        "type": record.get("type"),
        "files": [
            {"name": f["name"], "size": f["size"], "path": fmt.file_path(f["sha256"])}
            for f in record.get("files") or []
        ],
    }


def _labels(records: list[dict], vocab: VocabLookup) -> dict:
    labels: dict[str, dict] = {field: {} for field in FACETS}
    for record in records:
        for field, vocabulary in FACETS.items():
            value = record.get(field)
            for code in value if isinstance(value, list) else [value]:
                if code and code not in labels[field]:
                    labels[field][code] = vocab.label(vocabulary, code) or code
    return labels


def _index(records: list[dict]) -> dict[str, list[int]]:
    """Token -> record positions, from the hub's own (search-mode) segmentation."""
    index: dict[str, list[int]] = {}
    for position, record in enumerate(records):
        text = " ".join(
            [str(record.get(f) or "") for f in _TEXT_FIELDS] + list(record.get("keywords") or [])
        )
        for token in dict.fromkeys(analysis.tokens(text)):
            index.setdefault(token, []).append(position)
    return index
