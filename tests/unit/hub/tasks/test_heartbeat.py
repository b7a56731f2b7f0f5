"""The embedded broker's heartbeat files: fresh ones count as living workers, stale ones do not."""

from __future__ import annotations

import os
import time

from hub.tasks.heartbeat import FRESH, FileHeartbeat, HeartbeatThread


def test_a_beat_makes_a_worker_alive_and_clearing_it_ends_that(tmp_path):
    heartbeat = FileHeartbeat(tmp_path / "workers")
    assert heartbeat.alive() == []

    heartbeat.beat("host-12")
    assert heartbeat.alive() == ["host-12"]

    heartbeat.clear("host-12")
    assert heartbeat.alive() == []


def test_a_stale_beat_is_a_dead_worker(tmp_path):
    heartbeat = FileHeartbeat(tmp_path / "workers")
    heartbeat.beat("host-12")
    old = time.time() - FRESH - 1
    os.utime(tmp_path / "workers" / "host-12", (old, old))

    assert heartbeat.alive() == []


def test_the_thread_beats_at_once_and_clears_when_stopped(tmp_path):
    heartbeat = FileHeartbeat(tmp_path / "workers")
    thread = HeartbeatThread(heartbeat, name="host-7")

    thread.start()
    seen = wait_until(lambda: heartbeat.alive())
    thread.stop()
    thread.join()

    assert seen == ["host-7"] and heartbeat.alive() == []


def wait_until(predicate, tries: int = 200):
    for _ in range(tries):
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    return predicate()
