"""Canonical record <-> IEEE LOM (the model behind GB/T 21365), both directions.

Vocabulary codes go in classification/taxonPath: the taxon source names the vocabulary
("eduhub:subjects"), the taxon id is the code and its entry the Chinese label.
"""

from __future__ import annotations

import re

from lxml import etree

from metadata.crosswalks import (
    CODED_FIELDS,
    EMPTY,
    LIST_FIELDS,
    VocabLookup,
    absolute,
    creator_name,
    language_code,
    license_code,
)
from metadata.xml import clean, sub, text_of

PREFIX = "lom"
NS = "http://ltsc.ieee.org/xsd/LOM"
SCHEMA = "http://ltsc.ieee.org/xsd/lomv1.0/lom.xsd"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
LOM_SOURCE = "LOMv1.0"
TAXON_PREFIX = "eduhub:"
CATALOG = "eduhub"

# Canonical field -> LOM classification purpose.
PURPOSES = {
    "subjects": "discipline",
    "stage": "educational level",
    "grades": "educational level",
    "majors": "discipline",
    "edition": "discipline",
    "volume": "discipline",
    "themes": "idea",
    "chapter": "discipline",
    # Who may read the record, for a parent hub harvesting with a harvest token: written only for
    # records that are not public, so what public harvesters get is unchanged.
    "visibility": "security level",
}
STATUS = {
    "published": "final",
    "withdrawn": "unavailable",
    "draft": "draft",
    "submitted": "draft",
    "rejected": "draft",
}
_ORG = re.compile(r"^ORG:(.*)$", re.M)
_FN = re.compile(r"^FN:(.*)$", re.M)


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _langstring(parent, name: str, text: str, lang: str = "zh"):
    element = sub(parent, _q(name))
    sub(element, _q("string"), text, language=lang or "zh")
    return element


def _vocabulary(parent, name: str, value: str, source: str = LOM_SOURCE):
    element = sub(parent, _q(name))
    sub(element, _q("source"), source)
    sub(element, _q("value"), value)
    return element


def vcard(*, name: str = "", org: str = "") -> str:
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"FN:{_vcard_escape(name or org)}"]
    if org:
        lines.append(f"ORG:{_vcard_escape(org)}")
    lines.append("END:VCARD")
    return "\n".join(lines)


def _vcard_escape(text: str) -> str:
    return (
        clean(text).replace("\\", "\\\\").replace("\r", "").replace("\n", "\\n").replace(";", "\\;")
    )


def _vcard_unescape(text: str) -> str:
    return re.sub(
        r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text.strip()
    ).strip()


def to_lom(record: dict, *, vocab: VocabLookup = EMPTY, base_url: str = "") -> etree._Element:
    """The record as a <lom> element."""
    root = etree.Element(_q("lom"), nsmap={None: NS, "xsi": NS_XSI})
    root.set(f"{{{NS_XSI}}}schemaLocation", f"{NS} {SCHEMA}")
    lang = record.get("language") or "zh"
    _general(sub(root, _q("general")), record, lang)
    _life_cycle(sub(root, _q("lifeCycle")), record, vocab)
    _technical(sub(root, _q("technical")), record, base_url)
    _educational(sub(root, _q("educational")), record, lang, vocab)
    _rights(sub(root, _q("rights")), record)
    for name in PURPOSES:
        _classification(root, name, record, vocab)
    return root


def _general(general, record: dict, lang: str) -> None:
    if record.get("id"):
        identifier = sub(general, _q("identifier"))
        sub(identifier, _q("catalog"), CATALOG)
        sub(identifier, _q("entry"), record["id"])
    _langstring(general, "title", record.get("title") or "", lang)
    sub(general, _q("language"), lang)
    if record.get("description"):
        _langstring(general, "description", record["description"], lang)
    for keyword in record.get("keywords") or ():
        _langstring(general, "keyword", keyword, lang)
    if record.get("region"):
        _langstring(general, "coverage", record["region"], "x-none")


def _life_cycle(life, record: dict, vocab: VocabLookup) -> None:
    _langstring(life, "version", str(record.get("version") or 1), "x-none")
    _vocabulary(life, "status", STATUS.get(record.get("status") or "published", "final"))
    for creator in record.get("creators") or ():
        if creator_name(creator):
            role = creator.get("role") if isinstance(creator, dict) else None
            _contribute(life, vocab.role_to_lom(role), vcard(name=creator_name(creator)), None)
    if record.get("org"):
        _contribute(life, "publisher", vcard(org=record["org"]), record.get("published"))


def _contribute(life, role: str, entity: str, date: str | None) -> None:
    contribute = sub(life, _q("contribute"))
    _vocabulary(contribute, "role", role)
    sub(contribute, _q("entity"), entity)
    if date:
        sub(sub(contribute, _q("date")), _q("dateTime"), date)


def _technical(technical, record: dict, base_url: str) -> None:
    files = record.get("files") or []
    for mimetype in dict.fromkeys(f.get("mimetype") for f in files if f.get("mimetype")):
        sub(technical, _q("format"), mimetype)
    if files:
        sub(technical, _q("size"), str(sum(int(f.get("size") or 0) for f in files)))
    location = absolute(base_url, (record.get("links") or {}).get("html")) or record.get(
        "origin_url"
    )
    if location:
        sub(technical, _q("location"), location)


def _educational(educational, record: dict, lang: str, vocab: VocabLookup) -> None:
    if record.get("type"):
        _vocabulary(educational, "learningResourceType", record["type"], TAXON_PREFIX + "types")
    # LOM's context: "school" unless the stage says otherwise (higher vocational and undergraduate
    # stages are "higher education").
    stage = vocab.term("stages", record.get("stage"))
    _vocabulary(educational, "context", (stage.get("lom_context") if stage else None) or "school")
    sub(educational, _q("language"), lang)


def _rights(rights, record: dict) -> None:
    license_id = record.get("license")
    _vocabulary(rights, "cost", "no")
    _vocabulary(rights, "copyrightAndOtherRestrictions", "yes" if license_id else "no")
    if license_id:
        _langstring(rights, "description", license_id, "x-none")


def _classification(root, name: str, record: dict, vocab: VocabLookup) -> None:
    value = record.get(name)
    if name == "visibility" and value == "public":
        return
    codes = value if isinstance(value, list) else [value] if value else []
    if not codes:
        return
    vocab_name = CODED_FIELDS[name][0] if name in CODED_FIELDS else name
    classification = sub(root, _q("classification"))
    _vocabulary(classification, "purpose", PURPOSES[name])
    for code in codes:
        path = sub(classification, _q("taxonPath"))
        _langstring(
            path,
            "source",
            TAXON_PREFIX + (vocab_name if name != "chapter" else "chapter"),
            "x-none",
        )
        taxon = sub(path, _q("taxon"))
        sub(taxon, _q("id"), code)
        label = code if name == "chapter" else vocab.label(vocab_name, code)
        if label:
            _langstring(taxon, "entry", label, "zh")


def from_lom(element: etree._Element, *, vocab: VocabLookup = EMPTY) -> dict:
    """Canonical fields read from a <lom> element (ours or anyone's)."""
    find = _finder(element)
    record: dict = {
        "title": _string(find("general/title")),
        "description": "\n\n".join(
            _string(e) for e in find.all("general/description") if _string(e)
        ),
        "language": language_code(text_of(find("general/language"))),
        "keywords": _unique(_string(e) for e in find.all("general/keyword")),
        "region": _region(find.all("general/coverage"), vocab),
        "type": _resource_type(find.all("educational/learningResourceType"), vocab),
        "license": _license(find, vocab),
        "origin_url": next(
            (
                text_of(e)
                for e in find.all("technical/location")
                if text_of(e).startswith(("http://", "https://"))
            ),
            None,
        ),
    }
    record.update(_people(find, vocab))
    record.update(_taxa(element, vocab))
    return {key: value for key, value in record.items() if value not in (None, "", [])}


class _finder:
    """Namespace-aware child lookup that also reads LOM written without a namespace."""

    def __init__(self, root):
        self.root = root
        self.ns = etree.QName(root).namespace

    def _path(self, path: str) -> str:
        return "/".join(f"{{{self.ns}}}{part}" if self.ns else part for part in path.split("/"))

    def __call__(self, path: str):
        return self.root.find(self._path(path))

    def all(self, path: str) -> list:
        return self.root.findall(self._path(path))


def _string(element) -> str:
    if element is None:
        return ""
    strings = [child for child in element if etree.QName(child).localname == "string"]
    preferred = next((s for s in strings if (s.get("language") or "").startswith("zh")), None)
    return text_of(preferred if preferred is not None else (strings[0] if strings else None))


def _child(element, name: str):
    return next(
        (c for c in element if isinstance(c.tag, str) and etree.QName(c).localname == name), None
    )


def _unique(values) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _region(coverages, vocab: VocabLookup) -> str | None:
    for element in coverages:
        text = _string(element)
        if re.fullmatch(r"\d{6}", text):
            return text
        code = vocab.code_for("regions", text)
        if code:
            return code
    return None


def _resource_type(elements, vocab: VocabLookup) -> str | None:
    for element in elements:
        value = text_of(_child(element, "value"))
        source = text_of(_child(element, "source"))
        if source == TAXON_PREFIX + "types" and value:
            return value
        code = vocab.code_for("types", value)
        if code:
            return code
    return None


def _license(find, vocab: VocabLookup) -> str | None:
    return license_code(_string(find("rights/description")), vocab)


def _people(find, vocab: VocabLookup) -> dict:
    creators, org, published = [], None, None
    for contribute in find.all("lifeCycle/contribute"):
        role_element = _child(contribute, "role")
        role = text_of(_child(role_element, "value")) if role_element is not None else ""
        for entity in (c for c in contribute if etree.QName(c).localname == "entity"):
            card = entity.text or ""
            name = _FN.search(card)
            org_match = _ORG.search(card)
            if org_match:  # our organisation card; people's cards carry no ORG line
                org = org or _vcard_unescape(org_match.group(1))
                date = _child(contribute, "date")
                published = published or (
                    text_of(_child(date, "dateTime")) if date is not None else None
                )
            elif name and _vcard_unescape(name.group(1)):
                creator = {
                    "name": _vcard_unescape(name.group(1)),
                    "role": vocab.role_from_lom(role),
                }
                if creator not in creators:
                    creators.append(creator)
    return {"creators": creators, "org": org, "published": published}


def _taxa(root, vocab: VocabLookup) -> dict:
    """Read classification taxon paths: ours by their taxon source, others' by matching labels."""
    by_vocab = {vocab_name: name for name, (vocab_name, _short) in CODED_FIELDS.items()}
    found: dict[str, list[str]] = {}
    for path in root.iter(_q("taxonPath"), "taxonPath"):
        source = _string(_child(path, "source"))
        for taxon in (t for t in path if etree.QName(t).localname == "taxon"):
            code, label = text_of(_child(taxon, "id")), _string(_child(taxon, "entry"))
            field, value = _taxon_field(source, code, label, by_vocab, vocab)
            if field and value and value not in found.setdefault(field, []):
                found[field].append(value)
    return {
        name: values if name in LIST_FIELDS else values[0]
        for name, values in found.items()
        if values
    }


def _taxon_field(source: str, code: str, label: str, by_vocab: dict, vocab: VocabLookup):
    if source == TAXON_PREFIX + "chapter":
        return "chapter", label or code
    if source == TAXON_PREFIX + "visibility":
        return "visibility", code
    if source.startswith(TAXON_PREFIX) and source[len(TAXON_PREFIX) :] in by_vocab:
        return by_vocab[source[len(TAXON_PREFIX) :]], code
    for name in ("subjects", "stage", "grades", "edition", "volume", "themes"):
        matched = vocab.code_for(CODED_FIELDS[name][0], label) or vocab.code_for(
            CODED_FIELDS[name][0], code
        )
        if matched:
            return name, matched
    return None, None
