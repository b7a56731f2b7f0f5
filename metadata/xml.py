"""Safe XML in and clean XML out: no DTDs, no entities, no network; text stripped of XML-illegal
characters."""

from __future__ import annotations

import re

from lxml import etree

# Characters XML 1.0 cannot carry at all (C0 controls except tab/newline/CR, lone surrogates,
# U+FFFE/U+FFFF).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class XMLRejected(ValueError):
    """The document is malformed or unsafe (a DTD, entity declarations); nothing of it was used."""


def _parser() -> etree.XMLParser:
    # A fresh parser per call: lxml parsers are not thread-safe, and creating one costs
    # microseconds.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_blank_text=False,
    )


def parse_xml(data: bytes | str) -> etree._Element:
    """Parse a whole document once; refuse any DOCTYPE, which kills entity bombs and external
    entities alike."""
    if isinstance(data, str):
        data = (
            data.encode("utf-8")
            if not data.lstrip().startswith("<?xml")
            else _drop_declaration(data)
        )
    if not data or not data.strip():
        raise XMLRejected("empty document / 文档为空")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise XMLRejected(f"malformed XML / XML 格式错误: {exc}") from None
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise XMLRejected(
            "DOCTYPE declarations are refused (entity expansion, external entities) / "
            "拒绝含 DTD 的文档"
        )
    return root


def _drop_declaration(text: str) -> bytes:
    # lxml refuses str input that carries an encoding declaration; the text is already decoded.
    end = text.find("?>")
    return text[end + 2 :].encode("utf-8")


def clean(text: object) -> str:
    """A string XML can carry: XML-illegal control characters and lone surrogates removed."""
    if text is None:
        return ""
    return _ILLEGAL.sub("", str(text))


def sub(parent: etree._Element, tag: str, text: object = None, **attrib) -> etree._Element:
    """Append a child element with cleaned text (and attributes)."""
    child = etree.SubElement(parent, tag, {k: clean(v) for k, v in attrib.items()})
    if text is not None:
        child.text = clean(text)
    return child


def text_of(element: etree._Element | None) -> str:
    """The element's own text, stripped; empty for a missing element."""
    if element is None or element.text is None:
        return ""
    return element.text.strip()


def to_bytes(element: etree._Element, *, declaration: bool = True) -> bytes:
    return etree.tostring(element, encoding="UTF-8", xml_declaration=declaration)
