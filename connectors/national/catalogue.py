"""The national platform's public JSON shapes: tag trees, version manifests, shards and resource
details.

These shapes come from public downloader tools, not a published API; everything that knows them is
here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from connectors.base import ConnectorError

# Tag dimension ids -> canonical field.
DIMENSIONS = {
    "zxxxd": "stage",
    "zxxnj": "grades",
    "zxxxk": "subjects",
    "zxxbb": "edition",
    "zxxcc": "volume",
}
# Hierarchy names, for trees whose `ext` does not name the dimension.
HIERARCHY_NAMES = {
    "学段": "stage",
    "年级": "grades",
    "学科": "subjects",
    "版本": "edition",
    "册次": "volume",
    "教材版本": "edition",
    "册": "volume",
}


@dataclass(frozen=True)
class Tag:
    tag_id: str
    tag_name: str
    field: str | None  # canonical field this dimension maps to, or None


@dataclass(frozen=True)
class Manifest:
    module: str
    version: str
    paths: tuple[str, ...]


@dataclass(frozen=True)
class RemoteItem:
    """One file of a resource as the detail JSON lists it."""

    storage: str
    size: int | None
    md5: str | None
    format: str | None
    flag: str | None
    is_source: bool
    alternatives: tuple[str, ...] = field(default_factory=tuple)


def tags_of_tree(tree: dict) -> list[Tag]:
    """Every tag of a tag tree, with the field its hierarchy stands for."""
    out: list[Tag] = []

    def walk(hierarchies, inherited: str | None):
        for hierarchy in hierarchies or ():
            ext = hierarchy.get("ext") or {}
            dimension = ext.get("dimension_id") or ext.get("tag_dimension_id")
            field_name = DIMENSIONS.get(dimension) or HIERARCHY_NAMES.get(
                hierarchy.get("hierarchy_name") or ""
            )
            for child in hierarchy.get("children") or ():
                out.append(
                    Tag(str(child.get("tag_id")), str(child.get("tag_name") or ""), field_name)
                )
                walk(child.get("hierarchies"), field_name)

    if not isinstance(tree, dict) or "hierarchies" not in tree:
        raise ConnectorError(
            "tag tree without `hierarchies`; the platform's format may have changed"
        )
    walk(tree.get("hierarchies"), None)
    return out


def parse_manifest(data: dict) -> Manifest:
    """`data_version.json`: `urls` is a comma-separated string (textbooks) or a list (lessons)."""
    if not isinstance(data, dict) or "module_version" not in data or "urls" not in data:
        raise ConnectorError(
            "data_version.json without module_version/urls; the format may have changed"
        )
    urls = data["urls"]
    if isinstance(urls, str):
        urls = [u for u in (part.strip() for part in urls.split(",")) if u]
    if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
        raise ConnectorError(
            f"data_version.json: `urls` is neither a string nor a list of strings: {urls!r}"
        )
    paths = tuple(
        urlsplit(u).path if "://" in u else (u if u.startswith("/") else "/" + u) for u in urls
    )
    return Manifest(str(data.get("module") or ""), str(data["module_version"]), paths)


def shard_items(data) -> list[dict]:
    """A shard is a JSON list of items (some tools saw `{"items": [...]}`)."""
    if isinstance(data, dict):
        data = data.get("items") or data.get("data") or []
    if not isinstance(data, list):
        raise ConnectorError("a shard is not a list of items; the format may have changed")
    return [item for item in data if isinstance(item, dict) and item.get("id")]


def detail_files(detail: dict) -> list[RemoteItem]:
    """The `ti_items` of a detail document that point at stored files."""
    out = []
    for item in detail.get("ti_items") or ():
        storages = tuple(s for s in item.get("ti_storages") or () if isinstance(s, str))
        storage = item.get("ti_storage") or (storages[0] if storages else None)
        if not storage:
            continue
        size = item.get("ti_size")
        out.append(
            RemoteItem(
                storage=storage,
                size=int(size) if str(size or "").isdigit() else None,
                md5=item.get("ti_md5"),
                format=item.get("ti_format"),
                flag=item.get("ti_file_flag"),
                is_source=bool(item.get("ti_is_source_file")),
                alternatives=storages,
            )
        )
    return out
