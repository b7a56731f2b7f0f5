"""Facet labels cached per (field, code, language): each language keeps its own label."""

from __future__ import annotations

from hub.search import labels
from hub.search.labels import FacetLabels
from metadata.vocabularies import load_vocabularies

VOCABULARIES = load_vocabularies()


def test_a_label_is_cached_per_language():
    facet_labels = FacetLabels(VOCABULARIES)
    assert facet_labels.label("subjects", "math") == "数学"
    assert facet_labels.label("subjects", "math", "en") == "Mathematics"
    assert facet_labels.label("subjects", "math", "zh") == "数学"
    assert ("subjects", "math", "en") in facet_labels._cache
    assert ("subjects", "math", "zh") in facet_labels._cache


def test_labels_come_from_the_field_s_own_vocabulary_and_unknown_codes_show_as_they_are():
    facet_labels = FacetLabels(VOCABULARIES)
    assert facet_labels.label("stage", "primary") == "小学"
    assert facet_labels.label("grades", "g8") == VOCABULARIES.get("grades").label("g8")
    assert facet_labels.label("subjects", "no-such-code") == "no-such-code"
    assert facet_labels.label("source", "县级平台") == "县级平台"  # no vocabulary: the name itself


def test_a_major_is_named_with_its_stage_in_each_language():
    code = next(t.code for t in VOCABULARIES.get("majors") if t.get("stage"))
    term = VOCABULARIES.get("majors").term(code)
    stages = VOCABULARIES.get("stages")
    facet_labels = FacetLabels(VOCABULARIES)
    assert facet_labels.label("majors", code) == f"{stages.label(term.get('stage'))} {term.zh}"
    assert facet_labels.label("majors", code, "en") == (
        f"{stages.label(term.get('stage'), 'en')} {term.en}"
    )


def test_the_cache_stays_bounded_and_still_answers_when_full(monkeypatch):
    monkeypatch.setattr(labels, "MAX_ENTRIES", 3)
    facet_labels = FacetLabels(VOCABULARIES)
    for code in ("a", "b", "c", "d", "e"):
        assert facet_labels.label("subjects", code) == code
    assert len(facet_labels._cache) <= 3
    assert facet_labels.label("subjects", "math") == "数学"
