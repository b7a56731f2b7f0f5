"""The lean oai_dc reader gives exactly the canonical records of the first version (kept here as the
reference)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from connectors.oaipmh import CachedLookup
from metadata.crosswalks import (
    CODED_FIELDS,
    EMPTY,
    PREFIX_TO_FIELD,
    language_code,
    license_code,
    restrict,
)
from metadata.crosswalks.oai_dc import NS_DC, NS_OAI_DC, from_oai_dc, to_oai_dc
from metadata.vocabularies import match_key
from metadata.xml import clean, parse_xml, text_of, to_bytes
from tests.unit.metadata.crosswalks.strategies import VOCAB, records

# -- the reference: from_oai_dc and restrict as they were before the speed-up (2026-11-29) ---------
_PREFIXED = re.compile(r"^([a-z]+):(.+)$", re.S)
_REGION_CODE = re.compile(r"^\d{6}$")


def reference_from_oai_dc(element, vocab):
    values: dict[str, list[str]] = {}
    for child in element:
        if isinstance(child.tag, str) and child.tag.startswith(f"{{{NS_DC}}}") and text_of(child):
            values.setdefault(etree.QName(child).localname, []).append(text_of(child))
    first = lambda name: (values.get(name) or [""])[0]  # noqa: E731
    record: dict = {
        "title": first("title"),
        "description": "\n\n".join(values.get("description", [])),
    }
    record["creators"] = [
        {"name": name, "role": "author"} for name in dict.fromkeys(values.get("creator", []))
    ]
    record.update(_reference_coded(values, vocab))
    if values.get("publisher"):
        record["org"] = values["publisher"][0]
    record["published"] = first("date") or None
    record["language"] = language_code(first("language"))
    record["origin_url"] = next(
        (v for v in values.get("identifier", []) if v.startswith(("http://", "https://"))), None
    )
    rights = [license_code(v, vocab) for v in values.get("rights", [])]
    record["license"] = next((code for code in rights if code), None)
    return {key: value for key, value in record.items() if value not in (None, "", [])}


def _reference_coded(values, vocab):
    found: dict[str, list[str]] = {name: [] for name in CODED_FIELDS}
    plain = []
    for element in ("subject", "type", "coverage"):
        for text in values.get(element, []):
            match = _PREFIXED.match(text)
            if element == "subject" and text.startswith("chapter:"):
                _add(found.setdefault("chapter", []), text[len("chapter:") :].strip())
            elif match and match.group(1) in PREFIX_TO_FIELD:
                _add(found[PREFIX_TO_FIELD[match.group(1)]], match.group(2).strip())
            elif element == "coverage" and _REGION_CODE.match(text):
                _add(found["region"], text)
            else:
                plain.append((element, text))
    keywords: list[str] = []
    for element, text in plain:
        candidates = {"type": ("type",), "coverage": ("region",)}.get(
            element,
            ("subjects", "stage", "grades", "edition", "volume", "themes", "type", "majors"),
        )
        field = next((name for name in candidates if _label_code(vocab, name, text)), None)
        if field is None:
            if element == "subject":
                _add(keywords, text)
            continue
        _add(found[field], _label_code(vocab, field, text))
    record = {
        name: codes
        if name in ("subjects", "grades", "majors", "themes")
        else (codes[0] if codes else None)
        for name, codes in found.items()
        if name != "license"
    }
    record["keywords"] = keywords
    return record


def _label_code(vocab, name, text):
    """A label's code; a major only by its stage-qualified label (class names repeat by stage)."""
    if name != "majors":
        return vocab.code_for(CODED_FIELDS[name][0], text)
    code = vocab.code_for("majors", text)
    term = vocab.term("majors", code)
    aliases = {match_key(a) for a in term.aliases} if term else set()
    return code if match_key(text) in aliases else None


def _add(items, value):
    if value and value not in items:
        items.append(value)


def reference_restrict(record, vocab):
    out = dict(record)
    keywords = list(out.get("keywords") or [])
    for name, (vocab_name, _short) in CODED_FIELDS.items():
        value = out.get(name)
        if value in (None, "", []) or vocab.vocabularies is None:
            continue
        values = value if isinstance(value, list) else [value]
        known = [v for v in values if vocab.has(vocab_name, v)]
        keywords += [
            str(v)
            for v in values
            if not vocab.has(vocab_name, v) and name not in ("license", "region")
        ]
        if isinstance(value, list) or known:
            out[name] = known if isinstance(value, list) else known[0]
        else:
            out.pop(name)
    out["keywords"] = keywords
    return restrict(
        out, EMPTY
    )  # the clipping that follows is unchanged: without vocabularies it is all it does


# -- foreign Dublin Core: labels, aliases, prefixed codes (known and not), chapters, region codes,
# licence URLs --
def _labels():
    texts = []
    for name in (
        "subjects",
        "stages",
        "grades",
        "editions",
        "volumes",
        "types",
        "themes",
        "regions",
        "licenses",
        "majors",
    ):
        for term in VOCAB.vocabularies.get(name):
            texts += [term.code, term.zh, term.en, *term.aliases]
    return sorted(set(texts))


_prefixed = st.builds(
    "{}:{}".format,
    st.sampled_from([*PREFIX_TO_FIELD, "chapter", "foo", "Subject"]),
    st.one_of(st.sampled_from(_labels()), st.text(max_size=8)),
)
_text = st.one_of(
    st.sampled_from(_labels()),
    _prefixed,
    st.from_regex(r"\A\s?\d{6}\s?\Z"),
    st.text(max_size=12),
    st.sampled_from(
        [
            "https://creativecommons.org/licenses/by-nc/4.0/",
            "http://x.org/a",
            "CC0",
            "zh-CN",
            "ENG",
            "  ",
            "chapter:",
            "subject: math ",
            "课件 ",
            "2024-01-01",
        ]
    ),
)
_names = st.one_of(
    st.sampled_from(["subject", "type", "coverage"]),  # the coded ones, half the time
    st.sampled_from(
        [
            "title",
            "creator",
            "subject",
            "description",
            "publisher",
            "contributor",
            "date",
            "type",
            "format",
            "identifier",
            "source",
            "language",
            "relation",
            "coverage",
            "rights",
            "made-up",
        ]
    ),
)
_children = st.lists(
    st.tuples(st.sampled_from([NS_DC, NS_DC, NS_DC, "urn:other"]), _names, _text), max_size=25
)


def _foreign(children, comment: bool) -> etree._Element:
    root = etree.Element(f"{{{NS_OAI_DC}}}dc", nsmap={"oai_dc": NS_OAI_DC, "dc": NS_DC})
    if comment:
        root.append(etree.Comment(" a comment among the elements "))
    for namespace, name, text in children:
        etree.SubElement(root, f"{{{namespace}}}{name}").text = clean(text)
    return parse_xml(to_bytes(root))


def assert_same(element) -> None:
    for vocab in (EMPTY, VOCAB, CachedLookup(VOCAB.vocabularies)):
        for _twice in range(2):  # the second time from the cache
            new, old = from_oai_dc(element, vocab=vocab), reference_from_oai_dc(element, vocab)
            assert list(new.items()) == list(
                old.items()
            )  # same keys in the same order, same values
            assert list(restrict(new, vocab).items()) == list(
                reference_restrict(old, vocab).items()
            )


@settings(max_examples=150, deadline=None)
@given(_children, st.booleans())
def test_foreign_dublin_core_reads_exactly_as_before(children, comment):
    assert_same(_foreign(children, comment))


@settings(max_examples=60, deadline=None)
@given(records)
def test_our_own_oai_dc_reads_exactly_as_before(record):
    assert_same(parse_xml(to_bytes(to_oai_dc(record, vocab=VOCAB, base_url="http://hub.test"))))


def test_every_vocabulary_label_and_code_reads_exactly_as_before():
    labels = _labels()
    for start in range(0, len(labels), 7):
        chunk = labels[start : start + 7]
        children = [
            (NS_DC, element, text) for text in chunk for element in ("subject", "type", "coverage")
        ]
        children += [(NS_DC, "rights", text) for text in chunk[:2]]
        assert_same(_foreign([(NS_DC, "title", "t"), *children], comment=False))


def test_restrict_without_vocabularies_keeps_codes_as_before():
    record = {
        "title": "t",
        "subjects": ["math", "nonsense"],
        "license": "x",
        "keywords": ["a", "a", " "],
    }
    assert list(restrict(record, EMPTY).items()) == list(reference_restrict(record, EMPTY).items())
