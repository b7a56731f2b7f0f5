"""The embedded search engine: a tantivy index in the data directory, fed pre-analysed Chinese text.

One process writes (the worker; the writer is taken on the first write), every other process only
reads. Rebuilds go into a new generation directory and the `CURRENT` file is switched atomically;
readers notice it.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import orjson
import tantivy

from hub.errors import ServiceUnavailable, StorageFull
from hub.search import plan as planning
from hub.search.base import (
    PUBLIC,
    Scope,
    SearchIndex,
    SearchQuery,
    SearchResult,
    Suggestion,
    batched,
)

Q, Occur = tantivy.Query, tantivy.Occur
WORDS = "zh_words"  # the hub's words joined by spaces: split on whitespace only
STORED = "stored_text"  # stored-only fields still get indexed by tantivy: keep that cheap
EXACT_FIELDS = (
    "stage",
    "subjects",
    "grades",
    "majors",
    "edition",
    "volume",
    "type",
    "themes",
    "region",
    "region_path",
    "org",
    "org_path",
    "license",
    "source",
    "visibility",
    "status",
    "is_latest",
    "work",
    "collapsed",
)
RECHECK_SECONDS = 1.0
DISK_FULL = ("(os error 28)", "kind: StorageFull")  # ENOSPC, as Rust words it
MAX_TERM_QUERIES = 32  # filter values per field matched by term queries; more become one term set


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("version", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("title", stored=True, tokenizer_name=STORED, index_option="basic")
    sb.add_text_field("description", stored=True, tokenizer_name=STORED, index_option="basic")
    for name, _ in planning.WORD_FIELDS:
        sb.add_text_field(name, tokenizer_name=WORDS, index_option="freq")
    sb.add_text_field(planning.BIGRAM_FIELD, tokenizer_name=WORDS, index_option="freq")
    sb.add_text_field("suggest", tokenizer_name="raw", index_option="basic")
    for name in EXACT_FIELDS:
        sb.add_text_field(name, tokenizer_name="raw", index_option="basic", fast=True)
    for name in ("published", "updated", "downloads", "rating_count", "rating"):
        sb.add_integer_field(name, indexed=False, fast=True)
    sb.add_float_field("rating_avg", indexed=False, fast=True)
    return sb.build()


def register_tokenizers(index: tantivy.Index) -> None:
    """Needed after every open: tantivy keeps tokenizers in memory only."""
    ws = tantivy.Tokenizer.whitespace()
    index.register_tokenizer(
        WORDS, tantivy.TextAnalyzerBuilder(ws).filter(tantivy.Filter.remove_long(100)).build()
    )
    index.register_tokenizer(
        STORED, tantivy.TextAnalyzerBuilder(ws).filter(tantivy.Filter.remove_long(40)).build()
    )


def unavailable(exc: Exception) -> ServiceUnavailable:
    if any(words in str(exc) for words in DISK_FULL):  # tantivy gives an io::Error only as text
        return StorageFull()
    return ServiceUnavailable(
        "搜索暂时不可用，请稍后再试；管理员可运行 eduhub search rebuild 重建索引。"
        f"Search is unavailable; try again later (admins: run `eduhub search rebuild`). ({exc})"
    )


class TantivyIndex(SearchIndex):
    accepts_json = True  # tantivy parses JSON text itself

    def __init__(self, path: Path | str, *, heap_size: int = 64_000_000):
        self.root = Path(path)
        self.heap_size = heap_size
        self.schema = build_schema()
        self._lock = threading.RLock()
        self._index = self._writer = None
        self._generation = self._pid = None
        self._checked = 0.0

    # -- opening -----------------------------------------------------------------------------------

    def _current(self) -> str | None:
        try:
            return (self.root / "CURRENT").read_text().strip() or None
        except FileNotFoundError:
            return None

    def _open(self, generation: str) -> tantivy.Index:
        index = tantivy.Index(self.schema, path=str(self.root / generation), reuse=True)
        register_tokenizers(index)
        return index

    def _set_current(self, generation: str) -> None:
        tmp = self.root / f"CURRENT.{os.getpid()}"
        tmp.write_text(generation)
        os.replace(tmp, self.root / "CURRENT")

    def outdated(self) -> bool:
        generation = self._current()
        if generation is None:
            return False
        try:
            self._open(generation)
        except ValueError as exc:  # tantivy: "An index exists but the schema does not match."
            return "schema does not match" in str(exc)
        return False

    def ensure(self) -> None:
        with self._lock:
            try:
                self.root.mkdir(parents=True, exist_ok=True)
                if self._current() is None:
                    generation = _new_generation_name()
                    (self.root / generation).mkdir()
                    self._open(generation)
                    self._set_current(generation)
            except (OSError, ValueError) as exc:
                raise unavailable(exc) from exc

    def index(self) -> tantivy.Index:
        """The open index of the current generation; reopened after a fork or a rebuild
        elsewhere."""
        with self._lock:
            now = time.monotonic()
            if (
                self._index is not None
                and self._pid == os.getpid()
                and now - self._checked < RECHECK_SECONDS
            ):
                return self._index
            self._checked = now
            generation = self._current()
            if generation is None:
                self.ensure()
                generation = self._current()
            if self._index is None or self._pid != os.getpid() or generation != self._generation:
                self._drop_writer()
                try:
                    self._index = self._open(generation)
                except (OSError, ValueError) as exc:
                    raise unavailable(exc) from exc
                self._generation, self._pid = generation, os.getpid()
            return self._index

    def _writer_for(self, index: tantivy.Index):
        if self._writer is None:
            try:
                self._writer = index.writer(heap_size=self.heap_size, num_threads=1)
            except ValueError as exc:  # LockBusy: another process writes; only the worker should
                raise unavailable(exc) from exc
        return self._writer

    def _drop_writer(self) -> None:
        if self._writer is not None and self._pid == os.getpid():
            self._writer.rollback()
        self._writer = None

    # -- writing -----------------------------------------------------------------------------------

    def index_documents(self, docs) -> int:
        with self._lock:
            writer = self._writer_for(self.index())
            return _add(writer, docs)

    def delete_documents(self, ids) -> None:
        with self._lock:
            writer = self._writer_for(self.index())
            for doc_id in ids:
                writer.delete_documents_by_term("id", str(doc_id))

    def commit(self) -> None:
        with self._lock:
            if self._writer is not None:
                try:
                    self._writer.commit()
                except BaseException:
                    # A writer whose commit failed (a full disk) goes on "committing" nothing:
                    # a new one is taken, and the caller's retry indexes the batch again.
                    self._writer = None
                    raise
                self._index.reload()

    def rebuild(self, docs, progress=None) -> int:
        with self._lock:
            self.root.mkdir(parents=True, exist_ok=True)
            generation = _new_generation_name()
            (self.root / generation).mkdir()
            try:
                total = self._build(generation, docs, progress)
            except BaseException:
                shutil.rmtree(self.root / generation, ignore_errors=True)
                raise
            previous = self._generation
            self._set_current(generation)
            self._checked = 0.0
            self.index()
            self._remove_old(keep={generation, previous})
            return total

    def _build(self, generation: str, docs, progress) -> int:
        index = self._open(generation)
        writer = index.writer(heap_size=max(self.heap_size, 200_000_000), num_threads=0)
        total = 0
        for batch in batched(docs, 1000):
            total += _add(writer, batch, replace=False)
            if progress:
                progress(len(batch))
        writer.commit()
        writer.wait_merging_threads()
        return total

    def _remove_old(self, keep: set) -> None:
        """Keep the previous generation: readers elsewhere may still be on it for a moment."""
        for path in self.root.glob("gen-*"):
            if path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)

    # -- reading -----------------------------------------------------------------------------------

    def _searcher(self):
        return self.index().searcher()

    def search(self, query: SearchQuery) -> SearchResult:
        p = planning.plan(query)
        try:
            searcher = self._searcher()
            main = self._combine(p.text, p.filter())
            hits, total = self._hits(searcher, main, p)
            aggregations = self._facets(searcher, p)
        except ValueError as exc:
            raise unavailable(exc) from exc
        return SearchResult(total=total, hits=hits, aggregations=aggregations)

    def _combine(self, text, filter_node):
        filter_query = Q.const_score_query(self.translate(filter_node), 0.0)
        if text is None:
            return filter_query
        return Q.boolean_query([(Occur.Must, self.translate(text)), (Occur.Must, filter_query)])

    def _hits(self, searcher, query, p):
        order = {"newest": "published", "downloads": "downloads", "rating": "rating"}.get(p.sort)
        kwargs = {"order_by_field": order, "order": tantivy.Order.Desc} if order else {}
        result = searcher.search(query, limit=p.size, offset=p.offset, count=True, **kwargs)
        hits = []
        for key, address in result.hits:
            doc = searcher.doc(address)
            score = key if order is None else 0.0
            hits.append(
                p.hit(
                    doc.get_first("id"),
                    score,
                    doc.get_first("title") or "",
                    doc.get_first("description") or "",
                )
            )
        return hits, result.count

    def _facets(self, searcher, p) -> dict:
        out = {}
        for filter_node, names in p.facet_groups():
            aggs = {name: {"terms": {"field": name, "size": planning.FACET_SIZE}} for name in names}
            result = searcher.aggregate(self._combine(p.text, filter_node), aggs)
            for name in names:
                out[name] = planning.sorted_buckets(
                    (b["key"], b["doc_count"]) for b in result[name]["buckets"]
                )
        return out

    def suggest(self, prefix: str, scope: Scope = PUBLIC, size: int = 8) -> list[Suggestion]:
        nodes = planning.suggest_nodes(prefix, scope)
        if nodes is None:
            return []
        searcher = self._searcher()
        query = Q.boolean_query(
            [(Occur.Must, self.translate(nodes[0])), (Occur.Must, self.translate(nodes[1]))]
        )
        result = searcher.search(
            query, limit=size * 3, order_by_field="downloads", order=tantivy.Order.Desc
        )
        docs = [searcher.doc(address) for _, address in result.hits]
        return _distinct_titles(((d.get_first("id"), d.get_first("title")) for d in docs), size)

    def count(self) -> int:
        return self._searcher().num_docs

    def all_ids_with_versions(self) -> dict[str, str]:
        searcher = self._searcher()
        result = searcher.search(Q.all_query(), limit=max(searcher.num_docs, 1), count=False)
        out = {}
        for _, address in result.hits:
            doc = searcher.doc(address)
            out[doc.get_first("id")] = doc.get_first("version") or ""
        return out

    def check_ready(self) -> None:
        try:
            _ = self._searcher().num_docs
        except (OSError, ValueError) as exc:
            raise unavailable(exc) from exc

    def close(self) -> None:
        with self._lock:
            if self._writer is not None and self._pid == os.getpid():
                self._writer.commit()
                self._writer.wait_merging_threads()
            self._writer = self._index = None

    # -- translation of the plan -------------------------------------------------------------------

    def translate(self, node):
        if isinstance(node, planning.Term):
            query = Q.term_query(self.schema, node.field, node.value)
            return query if node.boost == 1.0 else Q.boost_query(query, node.boost)
        if isinstance(node, planning.Terms):
            # Term queries skip through their postings; a term set fills a bitset from every posting
            # of its terms, which for status=published or visibility=public is the whole index, on
            # every search (3-5x the CPU of a search at 100,000 records). The set is kept for long
            # lists only.
            if len(node.values) > MAX_TERM_QUERIES:
                return Q.term_set_query(self.schema, node.field, list(node.values))
            terms = [
                Q.term_query(self.schema, node.field, value, index_option="basic")
                for value in node.values
            ]
            return (
                terms[0] if len(terms) == 1 else Q.boolean_query([(Occur.Should, t) for t in terms])
            )
        if isinstance(node, planning.Prefix):
            return Q.regex_query(self.schema, node.field, _regex_escape(node.value) + ".*")
        if isinstance(node, planning.And):
            return Q.boolean_query([(Occur.Must, self.translate(c)) for c in node.children])
        if isinstance(node, planning.Or):
            return Q.boolean_query([(Occur.Should, self.translate(c)) for c in node.children])
        if isinstance(node, planning.Everything):
            return Q.all_query()
        if isinstance(node, planning.Not):
            inner = self.translate(node.child)
            return Q.boolean_query([(Occur.Must, Q.all_query()), (Occur.MustNot, inner)])
        raise TypeError(f"unknown plan node {node!r}")


def _add(writer, docs, replace: bool = True) -> int:
    """Add documents, dicts or (rebuilds only, `replace` False) JSON text."""
    count = 0
    for doc in docs:
        if replace:
            writer.delete_documents_by_term("id", doc["id"])
        # orjson: a fifth of `json.dumps`'s cost, the same JSON to tantivy (rebuilds send its text).
        writer.add_json(doc if isinstance(doc, str) else orjson.dumps(doc).decode())
        count += 1
    return count


def _regex_escape(text: str) -> str:
    return "".join("\\" + ch if ch in r"\.+*?()|[]{}^$#&-~" else ch for ch in text)


def _distinct_titles(pairs, size: int) -> list[Suggestion]:
    seen, out = set(), []
    for doc_id, title in pairs:
        if title and title not in seen:
            seen.add(title)
            out.append(Suggestion(id=doc_id, title=title))
        if len(out) >= size:
            break
    return out


def _new_generation_name() -> str:
    return (
        f"gen-{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 1_000_000:06d}"
    )
