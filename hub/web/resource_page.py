"""What the resource page shows: the record in plain language, its versions, and LRMI for
harvesters."""

from __future__ import annotations

from flask import request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from hub.errors import NotFound
from hub.http.context import current_hub
from hub.http.principal import current_principal
from hub.web.filters import field_label, label
from metadata.crosswalks import VocabLookup
from metadata.crosswalks.lrmi import to_lrmi

# (field, label) in the order a teacher reads them.
DETAILS = (
    ("stage", _l("Stage")),
    ("grades", _l("Grades")),
    ("majors", _l("Majors")),
    ("subjects", _l("Subjects")),
    ("edition", _l("Edition")),
    ("volume", _l("Volume")),
    ("chapter", _l("Chapter")),
    ("type", _l("Resource type")),
    ("themes", _l("Local themes")),
    ("region", _l("Region")),
    ("language", _l("Language")),
)


def details(record: dict) -> list[tuple[str, str]]:
    """(label, value) in the page's language for every field that has a value."""
    out = []
    for name, title in DETAILS:
        value = record.get(name)
        values = value if isinstance(value, list) else [value]
        shown = gettext(", ").join(field_label(v, name) for v in values if v)
        if shown:
            out.append((str(title), shown))
    return out


def source_label(record: dict) -> str:
    if record.get("source"):
        return gettext("Harvested from %(source)s", source=record["source"])
    return gettext("Contributed to this hub")


def org_name(code: str | None) -> str | None:
    if not code:
        return None
    try:
        return current_hub().accounts.get_org(code)["name"]
    except NotFound:  # a harvested record may name an organisation this hub does not know
        return code


def lrmi(record: dict) -> dict | None:
    return to_lrmi(
        record, vocab=VocabLookup(current_hub().vocabularies), base_url=request.host_url.rstrip("/")
    )


def page_context(resource_id: str) -> dict:
    hub, principal = current_hub(), current_principal()
    record = hub.resources.get(principal, resource_id)
    return {
        "record": record,
        "details": details(record),
        "versions": hub.resources.versions(principal, resource_id),
        "source": source_label(record),
        "org_name": org_name(record.get("org")),
        "license": label(record.get("license"), "licenses"),
        "lrmi": lrmi(record),
    }
