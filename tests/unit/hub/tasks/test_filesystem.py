"""The embedded broker's transport: a message appears in the queue folder only whole, and an
unreadable one is dropped instead of stopping the worker."""

from __future__ import annotations

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
