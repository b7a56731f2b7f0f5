"""The search page's state, all of it in the URL: parse it, and build the links that change one part
of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask_babel import lazy_gettext as _l

from hub.search.base import SORTS
from hub.services.search import PARAMS
from hub.web.filters import label, major_label, vocabulary_title

PAGE_SIZE = 20
MAX_PAGE = 500  # 500 x 20 = the engines' 10,000-result window
SORT_LABELS = {
    "relevance": _l("Relevance"),
    "newest": _l("Newest"),
    "downloads": _l("Most downloaded"),
    "rating": _l("Best rated"),
}
# Facet (API name) -> the vocabulary that titles it; org and source have no vocabulary.
FACET_VOCABULARY = {
    "stage": "stages",
    "subject": "subjects",
    "grade": "grades",
    "major": "majors",
    "edition": "editions",
    "volume": "volumes",
    "type": "types",
    "theme": "themes",
    "region": "regions",
    "license": "licenses",
}
FACET_TITLES = {"org": _l("Organisation"), "source": _l("Source")}
FACET_ORDER = (
    "stage",
    "subject",
    "grade",
    "major",
    "edition",
    "volume",
    "type",
    "theme",
    "region",
    "org",
    "license",
    "source",
)
# Each facet counted costs time on every search; licence and source matter to few teachers, so the
# page counts them only while one of their values is an active filter (a shared link keeps its chip
# and its facet).
ON_REQUEST = ("license", "source")


@dataclass
class SearchForm:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1

    @classmethod
    def from_args(cls, args) -> SearchForm:
        """Lenient: a mistyped page or sort in a shared link falls back to the default instead of
        failing."""
        filters = {}
        for name in PARAMS:
            values = [v.strip() for v in args.getlist(name) if v.strip()]
            if values:
                filters[name] = list(dict.fromkeys(values))[:20]
        sort = args.get("sort", "relevance")
        try:
            page = min(max(int(args.get("page", 1)), 1), MAX_PAGE)
        except ValueError:
            page = 1
        return cls(
            q=args.get("q", "").strip()[:200],
            filters=filters,
            sort=sort if sort in SORTS else "relevance",
            page=page,
        )

    def params(self, **changes) -> list[tuple[str, str]]:
        q = changes.get("q", self.q)
        filters = changes.get("filters", self.filters)
        sort = changes.get("sort", self.sort)
        page = changes.get("page", 1)  # any change of query or filter starts again at page 1
        out = [("q", q)] if q else []
        for name in PARAMS:
            out.extend((name, v) for v in filters.get(name, ()))
        if sort != "relevance":
            out.append(("sort", sort))
        if page > 1:
            out.append(("page", str(page)))
        return out

    def url(self, **changes) -> str:
        params = self.params(**changes)
        return "/?" + urlencode(params) if params else "/"

    def with_filter(self, name: str, value: str) -> str:
        filters = {k: list(v) for k, v in self.filters.items()}
        if value not in filters.setdefault(name, []):
            filters[name].append(value)
        return self.url(filters=filters)

    def without_filter(self, name: str, value: str) -> str:
        filters = {
            k: [x for x in v if not (k == name and x == value)] for k, v in self.filters.items()
        }
        return self.url(filters={k: v for k, v in filters.items() if v})

    def page_url(self, page: int) -> str:
        return self.url(page=page)

    def is_active(self, name: str, value: str) -> bool:
        return value in self.filters.get(name, ())

    def facets_to_count(self) -> tuple[str, ...]:
        return tuple(
            name for name in FACET_ORDER if name not in ON_REQUEST or self.filters.get(name)
        )

    @property
    def is_empty(self) -> bool:
        return not self.q and not self.filters


def facet_title(name: str) -> str:
    """A facet's heading in the page's language."""

    if name in FACET_VOCABULARY:
        return vocabulary_title(FACET_VOCABULARY[name])
    return str(FACET_TITLES.get(name, name))


def bucket_label(name: str, bucket: dict) -> str:
    """A facet value in the page's language: the vocabulary's label; organisations and sources by
    their name."""

    if name == "major":
        return major_label(bucket["key"])
    return (
        label(bucket["key"], FACET_VOCABULARY[name])
        if name in FACET_VOCABULARY
        else bucket["label"]
    )


def facet_value_label(name: str, code: str, aggregations: dict) -> str:
    """A chip's label: from the vocabulary or the facet counts, else the code as it is."""
    for bucket in aggregations.get(name, ()):
        if bucket["key"] == code:
            return bucket_label(name, bucket)

    return label(code, FACET_VOCABULARY[name]) if name in FACET_VOCABULARY else code


def pages(current: int, total: int, size: int = PAGE_SIZE) -> list[int | None]:
    """Page numbers to show: first, last, and two either side of the current one; None marks a
    gap."""
    last = min(max(1, -(-total // size)), MAX_PAGE)
    wanted = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
    out: list[int | None] = []
    previous = 0
    for number in wanted:
        if number - previous > 1:
            out.append(None)
        out.append(number)
        previous = number
    return out
