"""A rebuild's documents made in worker processes: the indexable ids are cut into ranges up front,
each worker reads its own ranges from the database and turns them into index documents, and this
process only feeds the index.

Memory stays flat: at most two ranges per worker are in flight (queued, being built or waiting to
be indexed). A worker that dies or raises fails the whole rebuild, so the old index stays in place.
Each range is read in its own transaction, not one snapshot: a record changed meanwhile is indexed
as it was then or as it is now, and its outbox message brings the new index up to date either way.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

import orjson
from sqlalchemy import func, select

from hub.db.base import Database
from hub.db.models import Resource
from hub.errors import ServiceUnavailable
from hub.services import indexer

# The collector's first generation threshold while documents are built: the default (700) ran a
# collection every few documents, through the analysis caches' growing young objects (a fifth of a
# rebuild's CPU). Documents hold no cycles, so collecting seldom frees as much.
GC_THRESHOLD = 50_000
RANGE = 2000  # resources per task: large enough to amortise a query, small enough to stay flat
Bounds = tuple[str | None, str | None]  # (after this id, up to and including this id); None: open

_db: Database | None = None  # each worker's own connection pool, opened by `_start`


def default_workers() -> int:
    """One fewer than the cores this process may run on: this process adds every document to the
    index and needs a core of its own. On two cores that is 1, this process alone, which measured
    faster than two workers (5,742 against 4,640 documents/s at 1,000,000; bench/RESULTS.md)."""
    return max(1, len(os.sched_getaffinity(0)) - 1)


def id_ranges(db, size: int = RANGE) -> list[Bounds]:
    """Consecutive id ranges of `size` indexable resources each, in id order, covering them all."""
    numbered = (
        select(Resource.id, func.row_number().over(order_by=Resource.id))
        .where(*indexer.INDEXABLE)
        .subquery()
    )
    id_, n = numbered.c
    with db.engine.connect() as conn:
        cuts = list(conn.scalars(select(id_).where(n % size == 0).order_by(id_)))
    return list(zip([None, *cuts], [*cuts, None], strict=True))


def encode(doc: dict) -> str:
    """The document as JSON text, which tantivy parses itself (orjson: a third of `json`'s cost)."""
    return orjson.dumps(doc).decode()


def build_range(bounds: Bounds, as_json: bool) -> list:
    """The documents of one id range (in a worker), as JSON text if `as_json`."""
    docs = [
        doc
        for page in indexer.indexable_pages(_db, after=bounds[0], upto=bounds[1])
        for doc in indexer.build(page)
    ]
    return [encode(doc) for doc in docs] if as_json else docs


@contextmanager
def fewer_collections():
    """Collect garbage seldom meanwhile, and never look again at what is already loaded (the
    dictionaries, the vocabularies)."""
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    _collect_seldom()
    try:
        yield
    finally:
        gc.set_threshold(*before)
        if not frozen:  # a process that froze its own (`eduhub serve`'s master) keeps them so
            gc.unfreeze()


def _collect_seldom() -> None:
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])


def _start(url: str) -> None:
    global _db
    _db = Database(url)
    _collect_seldom()  # a worker process is ours alone: it collects seldom for its life


def documents(
    db, workers: int, *, as_json: bool = False, task: Callable = build_range, size: int = 0
) -> Iterator:
    """Every indexable resource's document, built by `workers` processes (`task`: tests give one
    that fails), or in this process when one is asked for or all fits in one range."""
    with fewer_collections():
        yield from _documents(db, workers, as_json, task, size)


def _documents(db, workers: int, as_json: bool, task: Callable, size: int) -> Iterator:
    ranges = id_ranges(db, size or RANGE) if workers > 1 else []
    if len(ranges) <= 1:
        docs = indexer.indexable_documents(db)
        yield from map(encode, docs) if as_json else docs
        return
    # spawn, not fork: the index writer's threads may already run in this process.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start, initargs=(db.url,))
    try:
        pending: deque = deque()
        for bounds in ranges:
            pending.append(pool.submit(task, bounds, as_json))
            if len(pending) >= 2 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    except BrokenProcessPool as exc:
        raise ServiceUnavailable(
            "重建索引失败：一个工作进程意外退出，旧索引仍在使用；请重新运行，或加 --workers 1。"
            "Rebuild failed: a worker process died; the old index is still in use. Run it again, "
            "or with --workers 1."
        ) from exc
    finally:
        # A consumer that stops early (a failed index write) waits only for the tasks running.
        pool.shutdown(wait=True, cancel_futures=True)
