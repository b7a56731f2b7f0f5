"""What the resource page shows: the record in plain language, its versions, and LRMI for harvesters."""
from __future__ import annotations

from flask import request

from hub import current_hub
from hub.api.auth import current_principal
from hub.errors import NotFound
from hub.web.filters import field_label, label

# (field, Chinese, English) in the order a teacher reads them.
DETAILS = (
    ("stage", "学段", "Stage"), ("grades", "年级", "Grades"), ("subjects", "学科", "Subjects"),
    ("edition", "教材版本", "Edition"), ("volume", "册次", "Volume"), ("chapter", "章节", "Chapter"),
    ("type", "资源类型", "Type"), ("themes", "地方主题", "Local themes"), ("region", "地区", "Region"),
    ("language", "语言", "Language"),
)


def details(record: dict) -> list[tuple[str, str, str]]:
    """(Chinese label, English label, value in Chinese) for every field that has a value."""
    out = []
    for name, zh, en in DETAILS:
        value = record.get(name)
        values = value if isinstance(value, list) else [value]
        shown = "、".join(field_label(v, name) for v in values if v)
        if shown:
            out.append((zh, en, shown))
    return out


def source_label(record: dict) -> tuple[str, str]:
    if record.get("source"):
        return f"{record['source']}（汇聚）", f"Harvested from {record['source']}"
    return "本平台", "Contributed to this hub"


def org_name(code: str | None) -> str | None:
    if not code:
        return None
    try:
        return current_hub().accounts.get_org(code)["name"]
    except NotFound:  # a harvested record may name an organisation this hub does not know
        return code


def lrmi(record: dict) -> dict | None:
    try:
        from metadata.crosswalks import VocabLookup
        from metadata.crosswalks.lrmi import to_lrmi
    except ImportError:
        return None
    return to_lrmi(record, vocab=VocabLookup(current_hub().vocabularies), base_url=request.host_url.rstrip("/"))


def page_context(resource_id: str) -> dict:
    hub, principal = current_hub(), current_principal()
    record = hub.resources.get(principal, resource_id)
    return {
        "record": record,
        "details": details(record),
        "versions": hub.resources.versions(principal, resource_id),
        "source": source_label(record),
        "org_name": org_name(record.get("org")),
        "license": (label(record.get("license"), "licenses"), label(record.get("license"), "licenses", "en")),
        "lrmi": lrmi(record),
    }
