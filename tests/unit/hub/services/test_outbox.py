"""The outbox: messages written in a unit of work are handled once each after the commit, failures
are retried later with a growing back-off, and one bad message never holds back the others."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, update

from hub.db.base import utcnow
from hub.db.models import OutboxMessage
from hub.services import outbox
from hub.services.outbox import BASE_DELAY, MAX_ATTEMPTS, MAX_DELAY, backoff

TOPIC, BATCH_TOPIC = "test.note", "test.notes"


@pytest.fixture
def handled(hub, monkeypatch):
    """A handler for TOPIC that records payloads and fails for those with `fail`."""
    seen: list[dict] = []

    def handler(payload):
        seen.append(payload)
        if payload.get("fail"):
            raise RuntimeError(f"cannot handle {payload['n']}")

    monkeypatch.setitem(hub.outbox.handlers, TOPIC, handler)
    return seen


@pytest.fixture
def batches(hub, monkeypatch):
    """A batch handler for BATCH_TOPIC that fails any batch holding a payload with `fail`."""
    calls: list[list[dict]] = []

    def handler(payloads):
        calls.append(payloads)
        if any(p.get("fail") for p in payloads):
            raise RuntimeError("a bad message in the batch")

    monkeypatch.setitem(hub.outbox.batch_handlers, BATCH_TOPIC, handler)
    monkeypatch.setitem(hub.outbox.handlers, BATCH_TOPIC, outbox.one_of_batch(handler))
    return calls


def write(hub, topic=TOPIC, *payloads: dict) -> None:
    with hub.uow() as uow:
        for payload in payloads:
            uow.outbox(topic, **payload)
        uow.commit()


def rows(hub, topic=TOPIC) -> list[OutboxMessage]:
    with hub.db.session() as session:
        query = select(OutboxMessage).where(OutboxMessage.topic == topic)
        return list(session.scalars(query.order_by(OutboxMessage.id)))


def make_due(hub) -> None:
    """Move every retry into the past, as if its back-off had run out."""
    with hub.db.session() as session:
        session.execute(update(OutboxMessage).values(next_attempt=utcnow() - timedelta(seconds=1)))
        session.commit()


def test_messages_are_handled_once_in_order_after_the_commit(hub, handled):
    write(hub, TOPIC, {"n": 1}, {"n": 2})
    assert hub.wakeups == [1]  # one wake-up per commit, not per message
    assert handled == []  # nothing runs inside the transaction
    assert hub.outbox.process() == 2
    assert handled == [{"n": 1}, {"n": 2}]
    assert hub.outbox.process() == 0 and hub.outbox.pending() == 0
    assert [(m.attempts, m.processed is not None) for m in rows(hub)] == [(1, True), (1, True)]


def test_a_rolled_back_unit_of_work_leaves_no_message(hub, handled):
    with pytest.raises(RuntimeError), hub.uow() as uow:
        uow.outbox(TOPIC, n=1)
        raise RuntimeError("the request failed")
    assert hub.outbox.pending() == 0 and hub.wakeups == []


def test_a_failure_is_kept_and_retried_after_its_back_off(hub, handled):
    write(hub, TOPIC, {"n": 1, "fail": True}, {"n": 2})
    before = utcnow()
    assert hub.outbox.process() == 1
    failed, done = rows(hub)
    assert done.processed is not None
    assert (failed.processed, failed.attempts) == (None, 1)
    assert failed.last_error == "RuntimeError: cannot handle 1"
    assert before + backoff(1) <= failed.next_attempt <= utcnow() + backoff(1)

    assert hub.outbox.process() == 0  # not due yet: not even tried
    assert [p["n"] for p in handled] == [1, 2]
    make_due(hub)
    hub.outbox.process()
    assert rows(hub)[0].attempts == 2 and [p["n"] for p in handled] == [1, 2, 1]


def test_a_message_that_recovers_is_done_on_its_next_attempt(hub, handled, monkeypatch):
    write(hub, TOPIC, {"n": 1, "fail": True})
    hub.outbox.process()
    monkeypatch.setitem(hub.outbox.handlers, TOPIC, handled.append)
    make_due(hub)
    assert hub.outbox.process() == 1
    assert rows(hub)[0].attempts == 2 and hub.outbox.pending() == 0


def test_a_message_is_given_up_after_the_last_attempt(hub, handled):
    write(hub, TOPIC, {"n": 1, "fail": True})
    with hub.db.session() as session:
        session.execute(update(OutboxMessage).values(attempts=MAX_ATTEMPTS))
        session.commit()
    assert hub.outbox.process() == 0 and handled == []
    assert hub.outbox.pending() == 1  # still visible to an administrator, never lost


def test_a_topic_without_a_handler_waits_untouched(hub):
    write(hub, "test.nobody-handles-this", {"n": 1})
    assert hub.outbox.process() == 0
    (message,) = rows(hub, "test.nobody-handles-this")
    assert (message.attempts or 0, message.processed) == (0, None)


def test_batch_topics_are_handled_in_one_call(hub, batches):
    write(hub, BATCH_TOPIC, {"n": 1}, {"n": 2}, {"n": 3})
    assert hub.outbox.process() == 3
    assert batches == [[{"n": 1}, {"n": 2}, {"n": 3}]]


def test_a_failed_batch_is_retried_one_by_one_so_only_the_bad_message_waits(hub, batches):
    write(hub, BATCH_TOPIC, {"n": 1}, {"n": 2, "fail": True}, {"n": 3})
    assert hub.outbox.process() == 2
    assert batches[1:] == [[{"n": 1}], [{"n": 2, "fail": True}], [{"n": 3}]]
    attempts = [
        (m.payload["n"], m.attempts, m.processed is not None) for m in rows(hub, BATCH_TOPIC)
    ]
    assert attempts == [(1, 1, True), (2, 1, False), (3, 1, True)]


def test_back_off_starts_at_the_base_delay_and_doubles():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [
        BASE_DELAY * k for k in (1, 2, 4, 8)
    ]
    assert backoff(0) == backoff(1)


# Well past MAX_ATTEMPTS; beyond about 1,000 attempts 2**n no longer fits a float (reported).
@given(st.integers(min_value=0, max_value=1_000))
def test_back_off_never_shrinks_and_never_exceeds_an_hour(attempts):
    assert backoff(attempts) <= backoff(attempts + 1)
    assert backoff(attempts) <= timedelta(seconds=MAX_DELAY)
