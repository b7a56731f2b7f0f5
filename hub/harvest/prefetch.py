"""Read one page ahead: the connector fetches and parses the next page in a thread while the
current one is validated and written.

A page here is what the runner writes in one transaction (`size` items, the runner's batch), so
the whole of the next batch is being fetched while this one is written. The connector's generator
runs wholly in one producer thread, at most one page ahead: it starts on page k+1 only once the
consumer has taken page k, so one page at most waits in memory. What the connector raises crosses
over after the items it yielded before it, so the consumer sees exactly the sequence it would see
without the thread, the error where it happened (HTTP retries and back-off happen in the
connector, as before). The producer commits nothing: a run killed with a page fetched but not
written fetches it again from the last committed cursor.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator

_END = object()


class _Raised:
    """What the connector raised, in its place in the sequence."""

    def __init__(self, exc: BaseException):
        self.exc = exc


def prefetched(items: Iterable, *, size: int) -> Iterator:
    """`items`, read one page of `size` ahead in a thread; stopping early stops the connector."""
    pages: queue.SimpleQueue = queue.SimpleQueue()
    room = threading.Semaphore(1)  # the producer may start one page more
    stop = threading.Event()
    producer = threading.Thread(
        target=_produce,
        args=(iter(items), size, pages, room, stop),
        name="harvest-prefetch",
        daemon=True,  # a process that exits mid-run must not wait for a page it will not write
    )
    producer.start()
    try:
        while True:
            page = pages.get()
            if page is _END:
                return
            if isinstance(page, _Raised):
                raise page.exc
            room.release()  # the next page is fetched while this one is written
            yield from page
    finally:
        stop.set()
        room.release()  # wake a producer waiting for room, to see `stop`
        producer.join()


def _produce(iterator, size: int, pages: queue.SimpleQueue, room, stop) -> None:
    page: list = []
    try:
        while _may_start(room, stop):
            page = []
            for item in iterator:  # pulling the first item fetches the page
                page.append(item)
                if len(page) >= size:
                    break
            else:
                pages.put(page)
                pages.put(_END)
                return
            pages.put(page)
    except BaseException as exc:  # anything the connector raises is the consumer's to see
        pages.put(page)
        pages.put(_Raised(exc))
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()  # the connector's generator cleans up in the thread that ran it


def _may_start(room, stop) -> bool:
    room.acquire()
    return not stop.is_set()
