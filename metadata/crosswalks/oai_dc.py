"""Canonical record <-> oai_dc (unqualified Dublin Core), both directions.

Coded fields travel twice in dc:subject/dc:type/dc:coverage: the Chinese label for people, and a
prefixed code ("subject:math") so that another hub reads the exact code back. Foreign records are
mapped by label. A record that is not public (sent only to a hub holding a harvest token) says who
may read it in dc:rights as "visibility:region" or "visibility:org".
"""

from __future__ import annotations

import re

from lxml import etree

from metadata.crosswalks import (
    CODED_FIELDS,
    EMPTY,
    PREFIX_TO_FIELD,
    VocabLookup,
    absolute,
    creator_name,
    language_code,
    license_code,
)
from metadata.xml import sub

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
VISIBILITY_PREFIX = "visibility:"
# The dc elements read back, by Clark name (one dict look-up per child, no QName objects or string
# slicing).
_READ = {
    f"{{{NS_DC}}}{name}": name
    for name in (
        "title",
        "description",
        "creator",
        "subject",
        "type",
        "coverage",
        "publisher",
        "date",
        "language",
        "identifier",
        "rights",
    )
}
_CODED_ELEMENTS = ("subject", "type", "coverage")
_LIST_CODED = frozenset({"subjects", "grades", "majors", "themes"})
_READ_CODED = tuple(
    name for name in CODED_FIELDS if name != "license"
)  # a licence is read from dc:rights
# Which vocabularies a plain (unprefixed) text may be a label of, tried in this order.
_LABEL_FIELDS = {
    "subject": ("subjects", "stage", "grades", "edition", "volume", "themes", "type", "majors"),
    "type": ("type",),
    "coverage": ("region",),
}
_KEYWORD = "keywords"


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
    if record.get("visibility") not in (None, "public"):
        sub(root, _dc("rights"), VISIBILITY_PREFIX + record["visibility"])
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
    for mimetype in dict.fromkeys(
        f.get("mimetype") for f in record.get("files") or () if f.get("mimetype")
    ):
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
            label = vocab.major_label(code) if name == "majors" else vocab.label(vocab_name, code)
            if label:
                sub(root, element, label)
            sub(root, element, code if name == "region" else f"{short}:{code}")


def _identifiers(root, record: dict, base_url: str) -> None:
    seen = set()
    for value in (
        absolute(base_url, (record.get("links") or {}).get("html")),
        record.get("origin_url"),
    ):
        if value and value not in seen:
            seen.add(value)
            sub(root, _dc("identifier"), value)
    if record.get("id"):
        sub(root, _dc("identifier"), f"urn:uuid:{record['id']}")


def from_oai_dc(element: etree._Element, *, vocab: VocabLookup = EMPTY) -> dict:
    """Canonical fields read from an <oai_dc:dc> element (ours or anyone's)."""
    values = _values(element)
    get = values.get
    record: dict = {
        "title": _first(get("title")),
        "description": "\n\n".join(get("description", ())),
    }
    record["creators"] = [
        {"name": name, "role": "author"} for name in dict.fromkeys(get("creator", ()))
    ]
    _read_coded(values, vocab, record)
    if "publisher" in values:
        record["org"] = values["publisher"][0]
    record["published"] = _first(get("date")) or None
    record["language"] = language_code(_first(get("language")))
    record["origin_url"] = next(
        (v for v in get("identifier", ()) if v.startswith(("http://", "https://"))), None
    )
    record["visibility"] = next(
        (v[len(VISIBILITY_PREFIX) :] for v in get("rights", ()) if v.startswith(VISIBILITY_PREFIX)),
        None,
    )
    # The first rights statement that reads as a licence.
    record["license"] = next(
        (
            code
            for code in (
                vocab.remembered(("rights", v), license_code, v, vocab) for v in get("rights", ())
            )
            if code
        ),
        None,
    )
    return {key: value for key, value in record.items() if value not in (None, "", [])}


def _values(element) -> dict[str, list[str]]:
    """Stripped, non-empty texts of the dc:* children this crosswalk reads, by local name, in
    document order."""
    out: dict[str, list[str]] = {}
    for child in element:
        name = _READ.get(child.tag)  # a comment's tag is a function: not found, like other elements
        if name is None:
            continue
        text = child.text
        if text and (text := text.strip()):
            values = out.get(name)
            if values is None:
                out[name] = [text]
            else:
                values.append(text)
    return out


def _first(values: list[str] | None) -> str:
    return values[0] if values else ""


def _read_coded(values: dict, vocab: VocabLookup, record: dict) -> None:
    """Prefixed codes first; then labels that name a vocabulary term; the rest of dc:subject are
    keywords."""
    found: dict[str, list[str]] = {}
    labels: list[tuple[str, str]] = []
    keywords: list[str] = []
    for element in _CODED_ELEMENTS:
        for text in values.get(element, ()):
            field, value, direct = vocab.remembered(
                (element, text), _classify, element, text, vocab
            )
            if direct:
                _add(found.setdefault(field, []), value)
            elif field is not None:
                labels.append((field, value))  # labels and keywords, in document order
    for field, value in labels:
        # A label next to its own prefixed code is the human half of the pair; only add new codes.
        _add(keywords if field == _KEYWORD else found.setdefault(field, []), value)
    for name in _READ_CODED:
        codes = found.get(name)
        if codes:
            record[name] = codes if name in _LIST_CODED else codes[0]
    if "chapter" in found:
        record["chapter"] = found["chapter"][0] if found["chapter"] else None
    record["keywords"] = keywords


def _classify(element: str, text: str, vocab: VocabLookup) -> tuple[str | None, str | None, bool]:
    """What one dc:subject/type/coverage text says: (field, value, True) for a prefixed code, a
    chapter or a region code; (field, code, False) for a vocabulary label; ("keywords", text, False)
    for other subjects; else nothing."""
    match = _PREFIXED.match(text)
    if element == "subject" and text.startswith("chapter:"):
        return "chapter", text[len("chapter:") :].strip(), True
    if match and match.group(1) in PREFIX_TO_FIELD:
        return PREFIX_TO_FIELD[match.group(1)], match.group(2).strip(), True
    if element == "coverage" and _REGION_CODE.match(text):
        return "region", text, True
    for name in _LABEL_FIELDS[element]:
        if name == "majors":  # only a stage-qualified class name names one major
            code = vocab.major_for(text)
        else:
            code = vocab.code_for(CODED_FIELDS[name][0], text)
        if code:
            return name, code, False
    return (_KEYWORD, text, False) if element == "subject" else (None, None, False)


def _add(items: list, value) -> None:
    if value and value not in items:
        items.append(value)
