"""The index document as it was built before the rebuild was made faster (issue 15), kept as the
oracle the faster code is held to: field by field, each text analysed on its own, dates parsed and
formatted the plain way."""

from __future__ import annotations

from datetime import UTC, datetime

from hub.search.base import TEXT_CAP, rating_fields
from hub.security.regions import region_ancestors
from metadata import analysis, majors
from metadata.pinyin import suggest_keys


def reference_document(record: dict, org_path_ids, extracted_text: str | None = None) -> dict:
    """`hub.search.document_from_record` as of commit 26f62bd."""
    title, description = record.get("title") or "", record.get("description") or ""
    n_title, n_description = analysis.normalize(title), analysis.normalize(description)
    keywords = record.get("keywords")
    n_keywords = analysis.normalize(" ".join(keywords)) if keywords else ""
    region, work = record.get("region"), record.get("work_id") or record["id"]
    return {
        "id": record["id"],
        "title": title,
        "description": description,
        "title_w": analysis.index_text(n_title, normalized=True),
        "keywords_w": analysis.index_text(n_keywords, normalized=True),
        "description_w": analysis.index_text(n_description, normalized=True),
        "text_w": analysis.index_text((extracted_text or "")[:TEXT_CAP]),
        "bigrams": analysis.bigram_text([n_title, n_keywords, n_description], normalized=True),
        "suggest": suggest_keys(title, normalized=n_title),
        **{name: _strings(record.get(name)) for name in ("stage", "subjects", "grades")},
        "majors": majors.with_parents(_strings(record.get("majors"))),
        **{name: _strings(record.get(name)) for name in ("edition", "volume", "type", "themes")},
        "region": _strings(region),
        "region_path": region_ancestors(region) or ["-"],
        "org": _strings(record.get("org")),
        "org_path": _org_ids(org_path_ids),
        "license": _strings(record.get("license")),
        "source": _strings(record.get("source")),
        "visibility": _strings(record.get("visibility") or "public"),
        "status": _strings(record.get("status")),
        "is_latest": ["true" if record.get("is_latest", True) else "false"],
        "published": _timestamp(record.get("published")),
        "updated": _timestamp(record.get("updated")),
        "version": str(record.get("updated") or ""),
        "downloads": int(record.get("downloads") or 0),
        "work": [str(work)],
        "collapsed": ["true" if work != record["id"] else "false"],
        **rating_fields(record),
    }


def reference_isoformat(value: datetime | None) -> str | None:
    """`records.isoformat`: what the API says of a date."""
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _timestamp(value) -> int:
    if not value:
        return 0
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


def _org_ids(org_path_ids) -> list[str]:
    if isinstance(org_path_ids, str):
        org_path_ids = [p for p in org_path_ids.split("/") if p]
    return [str(i) for i in (org_path_ids or [])]


def _strings(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v not in (None, "")]
    return [str(value)]
