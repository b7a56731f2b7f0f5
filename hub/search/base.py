"""The search port: query and result types, the visibility scope, the index document, and the
abstract index."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

from hub.errors import ValidationFailed
from hub.search.spelling import correct
from hub.security.regions import region_ancestors
from metadata import analysis, majors
from metadata.pinyin import suggest_keys

# Facets the hub can count; each is an exact-string field in every engine.
FACETS = (
    "stage",
    "subjects",
    "grades",
    "majors",
    "edition",
    "volume",
    "type",
    "themes",
    "region",
    "org",
    "license",
    "source",
)
# Filters: every facet, plus `org_tree` (organisation ids: that organisation and everything under
# it) and a few administrative fields. A `region` filter matches the region and every region under
# it (a city finds its counties).
FILTERS = FACETS + ("org_tree", "visibility", "status")
SORTS = ("relevance", "newest", "downloads", "rating")
MAX_SIZE = 100
MAX_WINDOW = 10_000  # Elasticsearch's default max_result_window; every engine keeps the same limit
TEXT_CAP = 100_000  # characters of extracted file text that are indexed


@dataclass(frozen=True)
class Scope:
    """What a caller may read: public records, plus `region` ones in their regions and `org` ones in
    their orgs."""

    public_only: bool = True
    regions: tuple[str, ...] = ()  # 6-digit admin codes of the caller's roles
    org_ids: tuple[int, ...] = ()  # ids of the caller's organisations (their subtrees are readable)
    all: bool = False  # administrators: every visibility
    published_only: bool = (
        True  # only published, latest versions (set False for admin/owner listings)
    )

    @classmethod
    def for_principal(cls, principal) -> Scope:
        """The scope of a `hub.security.principal.Principal` (anonymous: public only)."""
        if principal.is_admin:
            return cls(public_only=False, all=True)
        if not principal.is_authenticated:
            return cls()
        return cls(
            public_only=False,
            regions=tuple(sorted({r.region for r in principal.roles if r.region})),
            org_ids=tuple(sorted({r.org_id for r in principal.roles})),
        )


PUBLIC = Scope()
EVERYTHING = Scope(public_only=False, all=True, published_only=False)


@dataclass
class SearchQuery:
    """One search. Filters are ANDed across fields and ORed within a field."""

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    size: int = 20
    facets: tuple[str, ...] = ()
    scope: Scope = PUBLIC

    def __post_init__(self):
        errors = {}
        if self.sort not in SORTS:
            errors["sort"] = [
                f"排序方式只能是 {', '.join(SORTS)}。Sort must be one of {', '.join(SORTS)}."
            ]
        if not 1 <= self.size <= MAX_SIZE:
            errors["size"] = [f"每页 1 到 {MAX_SIZE} 条。Size must be between 1 and {MAX_SIZE}."]
        if self.page < 1 or self.page * self.size > MAX_WINDOW:
            errors["page"] = [
                f"页码超出范围，请缩小搜索条件。Page out of range (at most {MAX_WINDOW} results "
                "can be paged through); narrow the search."
            ]
        for name in list(self.filters) + list(self.facets):
            if name not in FILTERS:
                errors[name] = [
                    "不支持按此字段筛选。This field cannot be used as a filter or facet."
                ]
        if errors:
            raise ValidationFailed.from_messages(errors)
        self.filters = {k: [str(v) for v in vs] for k, vs in self.filters.items() if vs}

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


@dataclass
class Hit:
    id: str
    score: float
    highlights: dict[str, str]  # {"title": html, "description": html}: escaped, matches in <mark>


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    aggregations: dict[str, list[tuple[str, int]]]  # facet -> [(code, count)], count desc then code


@dataclass
class Suggestion:
    id: str
    title: str


class SearchIndex(ABC):
    """The port. Documents are the dicts built by `document_from_record`."""

    # Whether `rebuild` also takes documents as JSON text (encoded where they are built, e.g. in
    # the rebuild's worker processes, so this process does not decode and encode them again).
    accepts_json = False

    def outdated(self) -> bool:
        """Whether the stored index was built for another version of the document schema and
        must be rebuilt before it can answer (servers map new fields themselves: never)."""
        return False

    @abstractmethod
    def ensure(self) -> None:
        """Create the index if it does not exist."""

    @abstractmethod
    def index_documents(self, docs: Iterable[dict]) -> int:
        """Add or replace documents (by id); visible after `commit()`. Returns how many."""

    @abstractmethod
    def delete_documents(self, ids: Iterable[str]) -> None:
        """Remove documents by id; visible after `commit()`."""

    @abstractmethod
    def commit(self) -> None:
        """Make writes visible to searches (batch writes: each commit costs a segment on
        tantivy)."""

    @abstractmethod
    def search(self, query: SearchQuery) -> SearchResult: ...

    @abstractmethod
    def suggest(self, prefix: str, scope: Scope = PUBLIC, size: int = 8) -> list[Suggestion]:
        """Titles completing a Chinese prefix, full pinyin or pinyin initials, most downloaded
        first."""

    @abstractmethod
    def count(self) -> int: ...

    @abstractmethod
    def all_ids_with_versions(self) -> dict[str, str]:
        """id -> the record's `updated` (ISO string) as indexed, for reconciling with the
        database."""

    @abstractmethod
    def rebuild(self, docs: Iterable[dict], progress: Callable[[int], None] | None = None) -> int:
        """Build a fresh index from `docs` and swap it in atomically; searches keep answering
        meanwhile. If `docs` raises, the new index is thrown away and the old one stays."""

    @abstractmethod
    def check_ready(self) -> None:
        """Raise ServiceUnavailable when the backend cannot answer."""

    # Not abstract: an adapter that holds nothing open needs no close of its own.
    def close(self) -> None:  # noqa: B027
        """Release files, writers and connections."""

    def did_you_mean(self, query: SearchQuery):
        """A corrected query (same filters and scope) that finds something, as a
        `spelling.Correction`, or None. Built from this index's own searches and completions, so
        every engine proposes the same."""

        return correct(self, query)


def batched(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def timestamp(value) -> int:
    """Seconds since the epoch of an ISO-8601 string or datetime; 0 when absent (sorts last)."""
    if not value:
        return 0
    if isinstance(value, str):
        return _seconds(value)
    return _datetime_seconds(value)


@lru_cache(maxsize=65536)  # records loaded together share their second: a rebuild parses it once
def _seconds(value: str) -> int:
    return _datetime_seconds(datetime.fromisoformat(value.replace("Z", "+00:00")))


def _datetime_seconds(value: datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


def _org_ids(org_path_ids) -> list[str]:
    if isinstance(org_path_ids, str):  # a materialised path "/1/4/9/"
        return list(_path_ids(org_path_ids))
    return [str(i) for i in (org_path_ids or [])]


@lru_cache(maxsize=4096)  # a rebuild meets each organisation's path again and again
def _path_ids(path: str) -> tuple[str, ...]:
    return tuple(p for p in path.split("/") if p)


@lru_cache(maxsize=4096)
def _region_path(region) -> tuple[str, ...]:
    # "-" stands for "no region": no caller's region matches it (hub.security.visibility).
    return tuple(region_ancestors(region) or ["-"])


def document_from_record(record: dict, org_path_ids, extracted_text: str | None = None) -> dict:
    """The engine-neutral index document of a canonical record; `org_path_ids` are the ids on the
    org's path."""
    # A rebuild makes a million of these: each text is analysed in one cached pass
    # (`analysis.analyse`), and the fields are read once.
    get = record.get
    title, description = get("title") or "", get("description") or ""
    n_title, title_w, title_pairs = analysis.analyse(title)
    keywords = get("keywords")
    _, keywords_w, keyword_pairs = analysis.analyse(" ".join(keywords) if keywords else "")
    _, description_w, description_pairs = analysis.analyse(description)
    doc_id, work, updated = record["id"], get("work_id"), get("updated")
    region, majors_ = get("region"), get("majors")
    return {
        "id": doc_id,
        "title": title,
        "description": description,
        "title_w": title_w,
        "keywords_w": keywords_w,
        "description_w": description_w,
        "text_w": analysis.index_text((extracted_text or "")[:TEXT_CAP]),
        "bigrams": " ".join(filter(None, (title_pairs, keyword_pairs, description_pairs))),
        "suggest": suggest_keys(title, normalized=n_title),
        "stage": _strings(get("stage")),
        "subjects": _strings(get("subjects")),
        "grades": _strings(get("grades")),
        # A class is found by its category too (a search for 43 finds 4303).
        "majors": majors.with_parents(_strings(majors_)) if majors_ else [],
        "edition": _strings(get("edition")),
        "volume": _strings(get("volume")),
        "type": _strings(get("type")),
        "themes": _strings(get("themes")),
        "region": _strings(region),
        "region_path": list(_region_path(region)),
        "org": _strings(get("org")),
        "org_path": _org_ids(org_path_ids),
        "license": _strings(get("license")),
        "source": _strings(get("source")),
        "visibility": _strings(get("visibility") or "public"),
        "status": _strings(get("status")),
        "is_latest": ["true" if get("is_latest", True) else "false"],
        "published": timestamp(get("published")),
        "updated": timestamp(updated),
        "version": str(updated or ""),
        "downloads": int(get("downloads") or 0),
        # Copies of one work (hub.services.works): searches show the lead copy only.
        "work": [str(work or doc_id)],
        "collapsed": ["true" if (work or doc_id) != doc_id else "false"],
        **rating_fields(record),
    }


RATING_COUNT_CAP = 999_999


def rating_fields(record: dict) -> dict:
    """The record's ratings: its average and count, and `rating`, one integer every engine sorts
    by -- the average in hundredths first, then the count (a 5.0 from one teacher ranks below a
    5.0 from twenty)."""
    average = round(float(record.get("rating_avg") or 0), 2)
    count = int(record.get("rating_count") or 0)
    rank = round(average * 100) * (RATING_COUNT_CAP + 1) + min(count, RATING_COUNT_CAP)
    return {"rating_avg": average, "rating_count": count, "rating": rank}


def _strings(value) -> list[str]:
    """Every facet field is a list of exact strings, so single- and multi-valued fields are handled
    alike."""
    if type(value) is str:  # the common case first: one code
        return [value] if value else []
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v not in (None, "")]
    return [str(value)]
