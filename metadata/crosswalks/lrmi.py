"""Canonical record -> LRMI (schema.org LearningResource as JSON-LD), embedded in each resource
page."""

from __future__ import annotations

from metadata.crosswalks import EMPTY, VocabLookup, absolute, creator_name, license_url

# The catalogues majors come from, by stage.
MAJOR_FRAMEWORK = "职业教育专业目录（2021年）"
MAJOR_FRAMEWORKS = {"undergraduate": "普通高等学校本科专业目录"}


def to_lrmi(record: dict, *, vocab: VocabLookup = EMPTY, base_url: str = "") -> dict:
    """A JSON-LD object; serialise with json.dumps(..., ensure_ascii=False)."""
    links = record.get("links") or {}
    doc: dict = {
        "@context": "https://schema.org/",
        "@type": "LearningResource",
        "@id": absolute(base_url, links.get("html")) or record.get("origin_url"),
        "identifier": record.get("id"),
        "name": record.get("title"),
        "description": record.get("description") or None,
        "inLanguage": record.get("language") or "zh",
        "educationalLevel": _terms(vocab, "stages", [record.get("stage")])
        + _terms(vocab, "grades", record.get("grades")),
        "about": _terms(vocab, "subjects", record.get("subjects"))
        + _terms(vocab, "themes", record.get("themes")),
        "educationalAlignment": _majors(vocab, record.get("majors")),
        "teaches": record.get("chapter") or None,
        "learningResourceType": _label(vocab, "types", record.get("type")),
        "keywords": ", ".join(record.get("keywords") or []) or None,
        "license": license_url(record.get("license")),
        "creator": [
            {"@type": "Person", "name": creator_name(c)}
            for c in record.get("creators") or ()
            if creator_name(c)
        ],
        "publisher": {"@type": "Organization", "identifier": record["org"]}
        if record.get("org")
        else None,
        "spatialCoverage": _place(vocab, record.get("region")),
        "datePublished": record.get("published"),
        "dateModified": record.get("updated"),
        "version": record.get("version"),
        "isAccessibleForFree": True,
        "encoding": _encodings(record, base_url),
    }
    return {key: value for key, value in doc.items() if value not in (None, "", [])}


def _terms(vocab: VocabLookup, vocab_name: str, codes) -> list[dict]:
    out = []
    for code in codes or ():
        if not code:
            continue
        term = {
            "@type": "DefinedTerm",
            "termCode": code,
            "inDefinedTermSet": f"eduhub:{vocab_name}",
        }
        label = vocab.label(vocab_name, code)
        if label:
            term["name"] = label
        out.append(term)
    return out


def _majors(vocab: VocabLookup, codes) -> list[dict]:
    """Majors as alignments to the catalogue they come from (occupationalCategory is for
    occupations, which a major is not)."""
    out = []
    for code in codes or ():
        term = vocab.term("majors", code)
        framework = MAJOR_FRAMEWORKS.get(term.get("stage") if term else None, MAJOR_FRAMEWORK)
        alignment = {
            "@type": "AlignmentObject",
            "alignmentType": "educationalSubject",
            "educationalFramework": framework,
            "targetName": term.zh if term else code,
            "targetDescription": code,
        }
        out.append(alignment)
    return out


def _label(vocab: VocabLookup, vocab_name: str, code: str | None) -> str | None:
    if not code:
        return None
    return vocab.label(vocab_name, code) or code


def _place(vocab: VocabLookup, region: str | None) -> dict | None:
    if not region:
        return None
    place = {"@type": "AdministrativeArea", "identifier": region}
    label = vocab.label("regions", region)
    if label:
        place["name"] = label
    return place


def _encodings(record: dict, base_url: str) -> list[dict]:
    file_links = (record.get("links") or {}).get("files") or {}
    out = []
    for f in record.get("files") or ():
        encoding = {
            "@type": "MediaObject",
            "name": f.get("name"),
            "encodingFormat": f.get("mimetype"),
            "contentSize": f.get("size"),
            "sha256": f.get("sha256"),
            "contentUrl": absolute(base_url, file_links.get(f.get("name"))),
        }
        out.append({k: v for k, v in encoding.items() if v not in (None, "")})
    return out
