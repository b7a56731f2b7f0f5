"""The embedded broker's transport: a message appears in the queue folder only whole, and an
unreadable one is dropped instead of stopping the worker."""

from __future__ import annotations

import multiprocessing
import os

import pytest
from kombu import Connection

from hub.tasks import filesystem


@pytest.fixture
def channel(tmp_path):
    queue = tmp_path / "queue"
    queue.mkdir()
    options = {"data_folder_in": str(queue), "data_folder_out": str(queue)}
    options["processed_folder"] = str(tmp_path / "processed")
    with Connection(transport="hub.tasks.filesystem:Transport", transport_options=options) as conn:
        yield conn.default_channel


def test_a_message_is_never_in_the_queue_folder_while_it_is_written(channel, monkeypatch):
    seen_while_writing = []
    encode = filesystem.str_to_bytes

    def watching(text):
        seen_while_writing.append(os.listdir(channel.data_folder_out))
        return encode(text)

    monkeypatch.setattr(filesystem, "str_to_bytes", watching)
    channel._put("eduhub", {"body": "x" * 100_000})

    assert seen_while_writing == [[]]
    assert len(os.listdir(channel.data_folder_out)) == 1
    assert channel._get("eduhub") == {"body": "x" * 100_000}


def test_an_unreadable_message_is_dropped_and_logged_and_the_next_one_is_read(channel, caplog):
    folder = channel.data_folder_out
    with open(os.path.join(folder, "0_broken.eduhub.msg"), "wb") as fh:
        fh.write(b'{"half a mess')
    channel._put("eduhub", {"n": 2})

    with pytest.raises(filesystem.Empty):
        channel._get("eduhub")

    assert "unreadable message" in caplog.text
    assert channel._get("eduhub") == {"n": 2}


def test_writes_leave_nothing_behind_in_the_staging_folder(channel):
    for n in range(20):
        channel._put("eduhub", {"n": n})

    staging = os.path.join(os.path.dirname(channel.data_folder_out), "incoming")
    assert os.listdir(staging) == []
    assert sorted(channel._get("eduhub")["n"] for _ in range(20)) == list(range(20))


def bind_at_once(options, transport, exchanges, queue, barrier, errors):
    """One producer process: waits for the others, then declares its queue on every exchange."""
    with Connection(transport=transport, transport_options=options) as conn:
        channel = conn.default_channel
        for exchange in exchanges:
            barrier.wait()
            try:
                channel._queue_bind(exchange, queue, None, queue)
            except Exception as exc:  # noqa: BLE001 - the test reports whatever a bind raised
                errors.put(f"{queue} on {exchange}: {exc!r}")


def test_processes_binding_the_same_new_exchange_at_once_all_get_their_queue(tmp_path):
    """kombu creates a table file empty and locks it after: a process starting at the same moment
    read the empty file and failed to send its first task (seen in CI with four producers)."""
    options = {"data_folder_in": str(tmp_path / "q"), "data_folder_out": str(tmp_path / "q")}
    options["control_folder"] = str(tmp_path / "control")
    context = multiprocessing.get_context("fork")
    processes, barrier, errors = 6, context.Barrier(6), context.Queue()
    exchanges = [f"exchange{n}" for n in range(40)]
    workers = [
        context.Process(
            target=bind_at_once,
            args=(options, "hub.tasks.filesystem:Transport", exchanges, f"q{p}", barrier, errors),
        )
        for p in range(processes)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)

    failures = []
    while not errors.empty():
        failures.append(errors.get())
    assert failures == []
    assert [w.exitcode for w in workers] == [0] * processes
    with Connection(transport="hub.tasks.filesystem:Transport", transport_options=options) as conn:
        for exchange in exchanges:
            table = conn.default_channel.get_table(exchange)
            assert sorted(b.queue for b in table) == [f"q{p}" for p in range(processes)]
    assert not [
        f for f in os.listdir(tmp_path / "control") if f.startswith(".") and "exchange" in f
    ]


def test_a_binding_is_kept_once_and_deleting_its_queue_removes_it(tmp_path):
    options = {"data_folder_in": str(tmp_path / "q"), "data_folder_out": str(tmp_path / "q")}
    options["control_folder"] = str(tmp_path / "control")
    (tmp_path / "q").mkdir()
    with Connection(transport="hub.tasks.filesystem:Transport", transport_options=options) as conn:
        channel = conn.default_channel
        assert channel.get_table("celery") == []
        for _ in range(3):
            channel._queue_bind("celery", "eduhub", None, "eduhub")
        channel._queue_bind("celery", "other", None, "other")
        assert [b.queue for b in channel.get_table("celery")] == ["other", "eduhub"]

        channel._delete("eduhub", "celery", "eduhub", None)

        assert [b.queue for b in channel.get_table("celery")] == ["other"]
        with pytest.raises(filesystem.ChannelError):
            channel._queue_bind("../escape", "x", None, "x")
