"""The periodic maintenance tasks do real work: checksum verification finds a damaged object."""

from __future__ import annotations

import os

import pytest

from config import default_beat_schedule
from workers.tasks import purge_uploads, verify_checksums


@pytest.fixture(autouse=True)
def worker_app(hub, monkeypatch):
    """Tasks run on the worker's own hub: make this test's hub that hub."""
    monkeypatch.setattr("workers.app._hub", hub)


def test_weekly_verification_reports_a_damaged_object(app, hub):
    good = hub.storage.put_bytes(b"%PDF-1.4 good", "application/pdf")
    bad = hub.storage.put_bytes(b"%PDF-1.4 soon damaged", "application/pdf")
    path = hub.storage.local_path(bad)
    os.chmod(path, 0o644)
    path.write_bytes(b"%PDF-1.4 damaged!!!!!")
    result = verify_checksums()
    assert result == {"checked": 2, "bad": 1}
    assert hub.storage.verify(good)


def test_upload_purge_runs_and_is_scheduled(app):
    assert purge_uploads() == 0
    tasks = {entry["task"] for entry in default_beat_schedule().values()}
    assert {
        "workers.tasks.purge_uploads",
        "workers.tasks.verify_checksums",
        "workers.tasks.process_outbox",
        "workers.tasks.reconcile_search",
    } <= tasks
