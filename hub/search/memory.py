"""The in-memory search index: the same plan evaluated in plain Python, for unit tests.

It reads the documents `document_from_record` builds, splits the pre-analysed word fields on
whitespace as the engines do and ranks with BM25 (k1 1.2, b 0.75, tantivy's field lengths), so the
contract suite holds on it as on tantivy and the servers. Writes become visible on `commit()`.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from dataclasses import dataclass

import hub.search.plan as planning
from hub.search.base import (
    PUBLIC,
    Scope,
    SearchIndex,
    SearchQuery,
    SearchResult,
    Suggestion,
)

K1, B = 1.2, 0.75
TEXT_FIELDS = tuple(name for name, _ in planning.WORD_FIELDS) + (planning.BIGRAM_FIELD,)
MAX_TOKEN_BYTES = (
    100  # tantivy's remove_long(100) on the word fields: longer tokens are not indexed
)
SORT_FIELDS = {"newest": "published", "downloads": "downloads", "rating": "rating"}


@dataclass(frozen=True)
class Stored:
    """One visible document: its source dict and the term counts of its word fields."""

    source: dict
    terms: dict[str, Counter]

    @classmethod
    def of(cls, doc: dict) -> Stored:
        return cls(dict(doc), {name: Counter(words(doc.get(name))) for name in TEXT_FIELDS})

    @property
    def id(self) -> str:
        return self.source["id"]

    def values(self, field: str) -> list[str]:
        value = self.source.get(field)
        if value is None:
            return []
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def words(text) -> list[str]:
    return [w for w in (text or "").split() if len(w.encode()) < MAX_TOKEN_BYTES]


class Statistics:
    """Document frequencies and average field lengths of the visible documents, for BM25."""

    def __init__(self, docs: list[Stored]):
        self.count = len(docs)
        self.doc_freq = {name: Counter() for name in TEXT_FIELDS}
        self.average = {}
        for name in TEXT_FIELDS:
            total = 0
            for doc in docs:
                self.doc_freq[name].update(doc.terms[name].keys())
                total += doc.terms[name].total()
            # tantivy divides by every document, not only those that have the field.
            self.average[name] = total / self.count if self.count else 0.0

    def score(self, doc: Stored, term: planning.Term) -> float:
        counts = doc.terms[term.field]
        tf, n = counts[term.value], self.doc_freq[term.field][term.value]
        idf = math.log(1 + (self.count - n + 0.5) / (n + 0.5))
        norm = 1 - B + B * counts.total() / (self.average[term.field] or 1.0)
        return term.boost * idf * tf * (K1 + 1) / (tf + K1 * norm)


class MemoryIndex(SearchIndex):
    def __init__(self):
        self._lock = threading.RLock()
        self._docs: dict[str, Stored] = {}
        self._pending: list[tuple[str, object]] = []
        self._stats = Statistics([])

    # -- writing ------------------------------------------------------------------------------

    def ensure(self) -> None:
        """Nothing to create: the index exists from the start."""

    def index_documents(self, docs) -> int:
        with self._lock:
            before = len(self._pending)
            self._pending += [("put", Stored.of(doc)) for doc in docs]
            return len(self._pending) - before

    def delete_documents(self, ids) -> None:
        with self._lock:
            self._pending += [("delete", str(doc_id)) for doc_id in ids]

    def commit(self) -> None:
        with self._lock:
            for op, item in self._pending:
                if op == "put":
                    self._docs[item.id] = item
                else:
                    self._docs.pop(item, None)
            self._pending = []
            self._stats = Statistics(list(self._docs.values()))

    def rebuild(self, docs, progress=None) -> int:
        fresh: dict[str, Stored] = {}
        for doc in docs:
            fresh[doc["id"]] = Stored.of(doc)
            if progress:
                progress(1)
        with self._lock:
            # Uncommitted writes were aimed at the index being replaced: they go with it, as on
            # the engines.
            self._docs, self._pending = fresh, []
            self._stats = Statistics(list(fresh.values()))
        return len(fresh)

    # -- reading ------------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        p = planning.plan(query)
        docs, stats = self._snapshot()
        ranked = self._ranked(p, [d for d in docs if matches(p.filter(), d)], stats)
        page = ranked[p.offset : p.offset + p.size]
        hits = [
            p.hit(doc.id, score, doc.source.get("title") or "", doc.source.get("description") or "")
            for score, doc in page
        ]
        return SearchResult(total=len(ranked), hits=hits, aggregations=self._facets(p, docs))

    def _ranked(self, p: planning.Plan, docs: list[Stored], stats: Statistics):
        if p.text is not None:
            docs = [d for d in docs if matches(p.text, d)]
        field = SORT_FIELDS.get(p.sort)
        if field:
            docs.sort(key=lambda d: (-int(d.source.get(field) or 0), d.id))
            return [(0.0, d) for d in docs]
        scored = [(score(p.text, d, stats), d) for d in docs]
        return sorted(scored, key=lambda sd: (-sd[0], sd[1].id))

    def _facets(self, p: planning.Plan, docs: list[Stored]) -> dict:
        out = {}
        for filter_node, names in p.facet_groups():
            node = planning.conjunction([filter_node, p.text or planning.Everything()])
            counted = [d for d in docs if matches(node, d)]
            for name in names:
                counts = Counter(v for d in counted for v in set(d.values(name)))
                out[name] = planning.sorted_buckets(counts.items())[: planning.FACET_SIZE]
        return out

    def suggest(self, prefix: str, scope: Scope = PUBLIC, size: int = 8) -> list[Suggestion]:
        nodes = planning.suggest_nodes(prefix, scope)
        if nodes is None:
            return []
        docs, _ = self._snapshot()
        found = [d for d in docs if matches(planning.And(nodes), d)]
        found.sort(key=lambda d: (-int(d.source.get("downloads") or 0), d.id))
        seen, out = set(), []
        for doc in found[: size * 3]:
            title = doc.source.get("title")
            if title and title not in seen and len(out) < size:
                seen.add(title)
                out.append(Suggestion(id=doc.id, title=title))
        return out

    def count(self) -> int:
        with self._lock:
            return len(self._docs)

    def all_ids_with_versions(self) -> dict[str, str]:
        docs, _ = self._snapshot()
        return {d.id: d.source.get("version") or "" for d in docs}

    def check_ready(self) -> None:
        """Always ready: there is no backend to reach."""

    def _snapshot(self) -> tuple[list[Stored], Statistics]:
        with self._lock:
            return list(self._docs.values()), self._stats


# -- evaluation of the plan -----------------------------------------------------------------


def matches(node, doc: Stored) -> bool:
    if isinstance(node, planning.Term):
        if node.field in doc.terms:
            return doc.terms[node.field][node.value] > 0
        return node.value in doc.values(node.field)
    if isinstance(node, planning.Terms):
        return not set(node.values).isdisjoint(doc.values(node.field))
    if isinstance(node, planning.Prefix):
        return any(v.startswith(node.value) for v in doc.values(node.field))
    if isinstance(node, planning.And):
        return all(matches(c, doc) for c in node.children)
    if isinstance(node, planning.Or):
        return any(matches(c, doc) for c in node.children)
    if isinstance(node, planning.Everything):
        return True
    if isinstance(node, planning.Not):
        return not matches(node.child, doc)
    raise TypeError(f"unknown plan node {node!r}")


def score(node, doc: Stored, stats: Statistics) -> float:
    """BM25 score of a matching document: the sum over its matching clauses, as in the engines."""
    if isinstance(node, planning.Term):
        return stats.score(doc, node) if node.field in doc.terms else 0.0
    if isinstance(node, (planning.And, planning.Or)):
        return sum(score(c, doc, stats) for c in node.children if matches(c, doc))
    return 0.0  # exact matches, prefixes and "everything" are unscored filters


_NAMED: dict[str, MemoryIndex] = {}
_NAMED_LOCK = threading.Lock()


def memory_index(name: str = "") -> MemoryIndex:
    """A fresh index for `memory://`; for `memory://NAME` the process's one index of that name, so
    a web app and a CLI built from the same configuration in one test see the same documents."""
    if not name:
        return MemoryIndex()
    with _NAMED_LOCK:
        return _NAMED.setdefault(name, MemoryIndex())
