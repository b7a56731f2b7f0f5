"""Canonical record <-> oai_dc (unqualified Dublin Core), both directions.

Coded fields travel twice in dc:subject/dc:type/dc:coverage: the Chinese label for people, and a prefixed code
("subject:math") so that another hub reads the exact code back. Foreign records are mapped by label.
"""
from __future__ import annotations

import re

from lxml import etree

from metadata.crosswalks import (CODED_FIELDS, EMPTY, PREFIX_TO_FIELD, VocabLookup, absolute, creator_name,
                                 language_code, license_code)
from metadata.xml import sub, text_of

PREFIX = "oai_dc"
NS_OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
NS_DC = "http://purl.org/dc/elements/1.1/"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
NSMAP = {"oai_dc": NS_OAI_DC, "dc": NS_DC, "xsi": NS_XSI}

# Which dc element carries which coded field; everything else coded goes in dc:subject.
_ELEMENT_FOR = {"type": "type", "region": "coverage", "license": "rights"}
_PREFIXED = re.compile(r"^([a-z]+):(.+)$", re.S)
_REGION_CODE = re.compile(r"^\d{6}$")


def _dc(name: str) -> str:
    return f"{{{NS_DC}}}{name}"


def to_oai_dc(record: dict, *, vocab: VocabLookup = EMPTY, base_url: str = "") -> etree._Element:
    """The record as an <oai_dc:dc> element."""
    root = etree.Element(f"{{{NS_OAI_DC}}}dc", nsmap=NSMAP)
    root.set(f"{{{NS_XSI}}}schemaLocation", f"{NS_OAI_DC} {SCHEMA}")
    sub(root, _dc("title"), record.get("title") or "")
    for creator in record.get("creators") or ():
        if creator_name(creator):
            sub(root, _dc("creator"), creator_name(creator))
    _coded(root, record, vocab)
    for keyword in record.get("keywords") or ():
        sub(root, _dc("subject"), keyword)
    if record.get("chapter"):
        sub(root, _dc("subject"), f"chapter:{record['chapter']}")
    if record.get("description"):
        sub(root, _dc("description"), record["description"])
    if record.get("org"):
        sub(root, _dc("publisher"), record["org"])
    date = record.get("published") or record.get("updated")
    if date:
        sub(root, _dc("date"), date)
    for mimetype in dict.fromkeys(f.get("mimetype") for f in record.get("files") or () if f.get("mimetype")):
        sub(root, _dc("format"), mimetype)
    _identifiers(root, record, base_url)
    if record.get("language"):
        sub(root, _dc("language"), record["language"])
    return root


def _coded(root, record: dict, vocab: VocabLookup) -> None:
    for name, (vocab_name, short) in CODED_FIELDS.items():
        value = record.get(name)
        codes = value if isinstance(value, list) else [value] if value else []
        element = _dc(_ELEMENT_FOR.get(name, "subject"))
        for code in codes:
            if name == "license":
                sub(root, element, code)
                continue
            label = vocab.label(vocab_name, code)
            if label:
                sub(root, element, label)
            sub(root, element, code if name == "region" else f"{short}:{code}")


def _identifiers(root, record: dict, base_url: str) -> None:
    seen = set()
    for value in (absolute(base_url, (record.get("links") or {}).get("html")), record.get("origin_url")):
        if value and value not in seen:
            seen.add(value)
            sub(root, _dc("identifier"), value)
    if record.get("id"):
        sub(root, _dc("identifier"), f"urn:uuid:{record['id']}")


def from_oai_dc(element: etree._Element, *, vocab: VocabLookup = EMPTY) -> dict:
    """Canonical fields read from an <oai_dc:dc> element (ours or anyone's)."""
    values = _values(element)
    record: dict = {"title": _first(values, "title"), "description": "\n\n".join(values.get("description", []))}
    record["creators"] = [{"name": name, "role": "author"} for name in dict.fromkeys(values.get("creator", []))]
    record.update(_read_coded(values, vocab))
    if values.get("publisher"):
        record["org"] = values["publisher"][0]
    record["published"] = _first(values, "date") or None
    record["language"] = language_code(_first(values, "language"))
    record["origin_url"] = next((v for v in values.get("identifier", [])
                                 if v.startswith(("http://", "https://"))), None)
    rights = [license_code(v, vocab) for v in values.get("rights", [])]
    record["license"] = next((code for code in rights if code), None)
    return {key: value for key, value in record.items() if value not in (None, "", [])}


def _values(element) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for child in element:
        if not isinstance(child.tag, str) or not child.tag.startswith(f"{{{NS_DC}}}"):
            continue
        text = text_of(child)
        if text:
            out.setdefault(etree.QName(child).localname, []).append(text)
    return out


def _first(values: dict, name: str) -> str:
    return (values.get(name) or [""])[0]


def _read_coded(values: dict, vocab: VocabLookup) -> dict:
    """Prefixed codes first; then labels that name a vocabulary term; the rest of dc:subject are keywords."""
    found: dict[str, list[str]] = {name: [] for name in CODED_FIELDS}
    plain: list[tuple[str, str]] = []
    for element in ("subject", "type", "coverage"):
        for text in values.get(element, []):
            match = _PREFIXED.match(text)
            if element == "subject" and text.startswith("chapter:"):
                _add(found.setdefault("chapter", []), text[len("chapter:"):].strip())
            elif match and match.group(1) in PREFIX_TO_FIELD:
                _add(found[PREFIX_TO_FIELD[match.group(1)]], match.group(2).strip())
            elif element == "coverage" and _REGION_CODE.match(text):
                _add(found["region"], text)
            else:
                plain.append((element, text))
    keywords = _read_labels(plain, found, vocab)
    record = {name: codes if name in ("subjects", "grades", "themes") else (codes[0] if codes else None)
              for name, codes in found.items() if name != "license"}
    record["keywords"] = keywords
    return record


def _read_labels(plain, found: dict, vocab: VocabLookup) -> list[str]:
    keywords: list[str] = []
    for element, text in plain:
        field = _field_for_label(element, text, vocab)
        if field is None:
            if element == "subject":
                _add(keywords, text)
            continue
        code = vocab.code_for(CODED_FIELDS[field][0], text)
        # A label next to its own prefixed code is the human half of the pair; only add new codes.
        _add(found[field], code)
    return keywords


def _field_for_label(element: str, text: str, vocab: VocabLookup) -> str | None:
    candidates = {"type": ("type",), "coverage": ("region",)}.get(
        element, ("subjects", "stage", "grades", "edition", "volume", "themes", "type"))
    for name in candidates:
        if vocab.code_for(CODED_FIELDS[name][0], text):
            return name
    return None


def _add(items: list, value) -> None:
    if value and value not in items:
        items.append(value)
