"""Hypothesis strategies for canonical records whose codes come from the real vocabularies."""

from __future__ import annotations

from hypothesis import strategies as st

from metadata.crosswalks import default_lookup
from metadata.xml import clean

VOCAB = default_lookup()
CODED = (
    "stages",
    "grades",
    "subjects",
    "editions",
    "volumes",
    "types",
    "themes",
    "regions",
    "licenses",
    "majors",
)


def _is_label(text: str) -> bool:
    return any(VOCAB.code_for(name, clean(text)) for name in CODED)


def _codes(name: str):
    return st.sampled_from(VOCAB.codes(name))


def _text(min_size: int = 1, max_size: int = 40):
    """Arbitrary Unicode (control characters included); what survives is its XML-clean, stripped
    form. No carriage returns: XML parsers turn them into line feeds, and the schema never lets one
    into a record."""
    alphabet = st.characters(blacklist_characters="\r")
    return st.text(alphabet=alphabet, min_size=min_size, max_size=max_size).filter(
        lambda s: clean(s).strip()
    )


def _keyword():
    # A keyword equal to a vocabulary label reads back as that code, by design; keep them apart
    # here.
    return _text(max_size=20).filter(lambda s: not _is_label(s) and ":" not in s)


records = st.fixed_dictionaries(
    {
        "id": st.uuids().map(str),
        "title": _text(max_size=120),
        "description": _text(max_size=200),
        "language": st.sampled_from(["zh", "en"]),
        "stage": _codes("stages"),
        "subjects": st.lists(_codes("subjects"), max_size=3, unique=True),
        "grades": st.lists(_codes("grades"), max_size=3, unique=True),
        "majors": st.lists(_codes("majors"), max_size=3, unique=True),
        "edition": _codes("editions"),
        "volume": _codes("volumes"),
        "chapter": _text(max_size=40),
        "type": _codes("types"),
        "themes": st.lists(_codes("themes"), max_size=2, unique=True),
        "keywords": st.lists(_keyword(), max_size=4, unique_by=lambda s: clean(s).strip()),
        "license": _codes("licenses"),
        "creators": st.lists(
            st.fixed_dictionaries({"name": _text(max_size=20), "role": _codes("creator-roles")}),
            max_size=3,
            unique_by=lambda c: clean(c["name"]).strip(),
        ),
        "org": st.sampled_from(["nx-edu", "xq-school-1", "yinchuan.no2", "alliance_7"]),
        "region": _codes("regions"),
        "published": st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")),
        "links": st.just({"html": "/r/x"}),
        "files": st.just([]),
    }
)


def _vocational(stage: str):
    """A record of a stage described by majors: one to three of its majors, no grades, subjects or
    textbook volume (the other fields are exercised by `records`)."""
    own = [t.code for t in VOCAB.vocabularies.get("majors") if t.get("stage") == stage]
    return st.fixed_dictionaries(
        {
            "id": st.uuids().map(str),
            "title": _text(max_size=30),
            "stage": st.just(stage),
            "majors": st.lists(st.sampled_from(own), min_size=1, max_size=3, unique=True),
            "themes": st.lists(_codes("themes"), max_size=2, unique=True),
            "type": _codes("types"),
            "org": st.just("nx-vocational-1"),
        }
    )


MAJOR_STAGES = tuple(t.code for t in VOCAB.vocabularies.get("stages") if t.get("majors"))
vocational_records = st.sampled_from(MAJOR_STAGES).flatmap(_vocational)


def cleaned(text: str) -> str:
    return clean(text).strip()
