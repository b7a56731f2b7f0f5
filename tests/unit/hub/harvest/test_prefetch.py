"""Reading one page ahead: the same items in the same order, errors where they happened, one page
ahead at most, and a consumer that stops early stops the connector."""

from __future__ import annotations

import threading
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.base import HttpError, Upsert
from hub.harvest.prefetch import prefetched


class FakePages:
    """A connector's generator over `pages` pages of `per_page` items; `fail_at` raises as the
    HTTP client does once its retries are spent. Records which pages it began to fetch."""

    def __init__(self, pages: int, per_page: int, *, fail_at: int | None = None):
        self.pages, self.per_page, self.fail_at = pages, per_page, fail_at
        self.fetched: list[int] = []
        self.closed = threading.Event()

    def harvest(self):
        try:
            for n in range(self.pages):
                self.fetched.append(n)
                if n == self.fail_at:
                    raise HttpError(f"page {n}: HTTP 503", 503)
                for i in range(self.per_page):
                    last = i == self.per_page - 1
                    yield Upsert(
                        f"p{n}-{i}", {"title": f"{n}.{i}"}, [], f"p{n + 1}" if last else None
                    )
        finally:
            self.closed.set()


@given(
    pages=st.integers(0, 6), per_page=st.integers(1, 7), size=st.integers(1, 10), fail=st.booleans()
)
def test_the_same_items_in_the_same_order_then_the_error(pages, per_page, size, fail):
    fail_at = pages - 1 if fail and pages else None
    plain, plain_error = _drain(FakePages(pages, per_page, fail_at=fail_at).harvest())
    ahead, ahead_error = _drain(
        prefetched(FakePages(pages, per_page, fail_at=fail_at).harvest(), size=size)
    )
    assert [(i.external_id, i.cursor_after) for i in ahead] == [
        (i.external_id, i.cursor_after) for i in plain
    ]
    assert repr(ahead_error) == repr(plain_error)


def test_an_http_error_on_page_five_is_raised_when_page_five_is_reached():
    source = FakePages(8, 10, fail_at=5)
    items = prefetched(source.harvest(), size=10)
    seen = [next(items) for _ in range(50)]  # pages 0-4: the failed page 5 may be fetched already
    assert seen[-1].external_id == "p4-9"
    with pytest.raises(HttpError, match="page 5"):
        next(items)
    assert source.fetched == [0, 1, 2, 3, 4, 5]  # nothing after the error is fetched
    assert source.closed.is_set()


def test_at_most_one_page_ahead_of_the_page_being_written():
    source = FakePages(5, 3)
    items = prefetched(source.harvest(), size=3)
    next(items)  # page 0 taken: the producer may fetch page 1 and no further
    _wait_for(lambda: 1 in source.fetched)
    assert next(items).external_id == "p0-1"
    assert source.fetched == [0, 1]
    next(items)  # the rest of page 0
    next(items)  # page 1 taken: page 2 may be fetched now
    _wait_for(lambda: 2 in source.fetched)
    assert source.fetched == [0, 1, 2]
    items.close()


def test_a_consumer_that_stops_early_stops_and_closes_the_connector():
    source = FakePages(100, 5)
    items = prefetched(source.harvest(), size=5)
    assert next(items).external_id == "p0-0"
    items.close()
    assert source.closed.is_set()
    assert len(source.fetched) <= 2  # the page in hand and the one ahead, never the rest
    assert not any(t.name == "harvest-prefetch" and t.is_alive() for t in threading.enumerate())


def test_a_source_without_pages_ends_at_once():
    assert list(prefetched(iter([]), size=500)) == []


def _drain(iterator):
    items = []
    try:
        for item in iterator:
            items.append(item)
    except HttpError as exc:
        return items, exc
    return items, None


def _wait_for(predicate, timeout: float = 60.0):
    """The producer runs on its own: wait for what it must do next; a deadline only so a broken
    producer fails the test instead of hanging it."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "the producer never got there"
        time.sleep(0.001)
