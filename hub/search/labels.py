"""Facet labels: the name a facet value shows, cached, since vocabularies are static data."""

from __future__ import annotations

from metadata import majors

# Facet (index field) -> the vocabulary that names its values; org and source have none.
VOCABULARY = {
    "stage": "stages",
    "subjects": "subjects",
    "grades": "grades",
    "majors": "majors",
    "edition": "editions",
    "volume": "volumes",
    "type": "types",
    "themes": "themes",
    "region": "regions",
    "license": "licenses",
}
# Keys are facet values read from the index; a stale index could hold many unknown ones, so the
# cache is bounded (emptied when full: refilling it costs one dictionary lookup per value).
MAX_ENTRIES = 20_000


class FacetLabels:
    """Labels of one `Vocabularies` (immutable once loaded): a cache per (field, code, language)
    is safe for every caller, since a label says nothing about who may read what."""

    def __init__(self, vocabularies):
        self.vocabularies = vocabularies
        self._cache: dict[tuple[str, str, str], str] = {}

    def label(self, field: str, code: str, lang: str = "zh") -> str:
        key = (field, code, lang)
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) >= MAX_ENTRIES:
                self._cache.clear()
            found = self._cache[key] = self._lookup(field, code, lang)
        return found

    def _lookup(self, field: str, code: str, lang: str) -> str:
        if field == "majors":  # class names repeat from stage to stage
            if lang == "zh":
                return majors.qualified_label(self.vocabularies, code) or code
            term = self.vocabularies.get("majors").term(code)
            if term is None:
                return code
            stage = self.vocabularies.get("stages").label(term.get("stage"), lang)
            return f"{stage} {term.label(lang)}"
        vocabulary = VOCABULARY.get(field)
        return self.vocabularies.get(vocabulary).label(code, lang) if vocabulary else code
