"""Renditions made by the worker with ffmpeg in the sandbox: a real short lesson is transcoded to a
360p faststart MP4 and gets a poster; hostile videos are refused by what they declare, or stopped
by the output cap, and the reason is recorded."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from config import default_beat_schedule
from hub.db.models import Preview, Rendition
from hub.services import office_render
from hub.services.renditions import RenditionService
from hub.services.video_render import MediaLimits
from tests.integration.services.test_office_previews import BLUE, RED, deck_bytes
from tests.resource_factories import make_world, valid_record
from tests.support import media, need


@pytest.fixture
def database_url(tmp_path):
    """SQLite only: a transcode is the same on both databases and costs seconds."""
    return f"sqlite:///{tmp_path / 'hub.db'}"


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict[str, Path]:
    media.need_ffmpeg()
    folder = tmp_path_factory.mktemp("clips")
    lesson = media.lesson(folder / "lesson.mp4", seconds=3)
    return {
        "lesson": lesson,
        "huge": media.huge_frames(folder / "huge.mp4"),
        "endless": media.endless(lesson, folder / "endless.mp4"),
    }


def stored(hub, path: Path) -> str:
    return hub.storage.put_bytes(path.read_bytes(), "video/mp4")


def row(hub, model, sha256):
    with hub.db.session() as session:
        found = session.get(model, sha256)
        session.expunge_all()
        return found


def probe(data: bytes, tmp_path: Path) -> dict:
    path = tmp_path / "out.mp4"
    path.write_bytes(data)
    command = ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", str(path)]
    return json.loads(subprocess.run(command, capture_output=True, check=True).stdout)


def test_a_lesson_becomes_a_360p_h264_aac_rendition_with_its_index_first(hub, clips, tmp_path):
    sha = stored(hub, clips["lesson"])
    assert hub.renditions.make(sha, "video/mp4") is True
    found = row(hub, Rendition, sha)
    assert (found.kind, found.mimetype) == ("low", "video/mp4")
    with hub.storage.open(found.rendition_sha256) as fh:
        data = fh.read()
    assert found.size == len(data) < clips["lesson"].stat().st_size
    assert data.find(b"moov") < data.find(b"sidx") < data.find(b"moof") < data.find(b"mdat"), (
        "faststart: the index of every fragment before the first"
    )
    streams = {s["codec_type"]: s for s in probe(data, tmp_path)["streams"]}
    assert (streams["video"]["codec_name"], streams["video"]["height"]) == ("h264", 360)
    assert streams["audio"]["codec_name"] == "aac"
    assert hub.renditions.make(sha, "video/mp4") is False, "one attempt per source"


def test_the_preview_worker_makes_a_poster_frame_of_a_video(hub, clips):
    sha = stored(hub, clips["lesson"])
    hub.previews.make(sha, "video/mp4")
    found = row(hub, Preview, sha)
    assert (found.kind, found.width, found.height) == ("video", 640, 360)
    assert hub.renditions.of_files([sha]) == {
        sha: {"rendition": None, "failed": False, "poster": True}
    }


@pytest.mark.parametrize(
    ("clip", "reason", "words"),
    [("huge", "size", "8640x8640"), ("endless", "time", "declares 4294967 s")],
)
def test_a_hostile_video_is_refused_by_what_it_declares(hub, clips, clip, reason, words):
    sha = stored(hub, clips[clip])
    hub.renditions.make(sha, "video/mp4")
    hub.previews.make(sha, "video/mp4")
    made, poster = row(hub, Rendition, sha), row(hub, Preview, sha)
    assert made.rendition_sha256 is None and poster.preview_sha256 is None
    assert made.kind == poster.kind == "failed-" + reason
    assert words in made.failure
    assert hub.renditions.of_files([sha])[sha] == {
        "rendition": None,
        "failed": True,
        "poster": False,
    }


def test_a_rendition_past_the_output_cap_is_stopped_and_recorded(hub, clips):
    small = RenditionService(hub.db, hub.storage, hub.resources, MediaLimits(max_output_mb=0.01))
    sha = stored(hub, clips["lesson"])
    small.make(sha, "video/mp4")
    found = row(hub, Rendition, sha)
    assert (found.kind, found.rendition_sha256) == ("failed-size", None)
    assert "larger than" in found.failure


def test_audio_and_other_files_get_no_rendition(hub):
    sha = hub.storage.put_bytes(b"ID3" + b"\0" * 100, "audio/mpeg")
    assert hub.renditions.make(sha, "audio/mpeg") is False
    assert row(hub, Rendition, sha) is None


def test_an_upload_hands_the_video_to_a_worker_task_not_to_the_outbox_pass(hub, clips):
    world = make_world(hub)
    record = hub.resources.create(world.contributor, valid_record())
    data = clips["lesson"].read_bytes()
    hub.files.upload(
        world.contributor, record["id"], "微课.mp4", io.BytesIO(data), content_length=None
    )
    hub.outbox.process()
    sha = hashlib.sha256(data).hexdigest()
    assert ("make_rendition", (sha, "video/mp4")) in list(hub.tasks.sent)
    assert row(hub, Rendition, sha) is None, "the outbox pass itself transcodes nothing"


def test_a_deck_gets_a_pdf_of_every_slide_which_the_page_reads(hub, client):
    if office_render.soffice() is None:
        need("LibreOffice", "install libreoffice-impress-nogui (make test does)")
    world = make_world(hub)
    record = hub.resources.create(world.contributor, valid_record())
    deck = deck_bytes((RED, BLUE, RED))
    hub.files.upload(
        world.contributor, record["id"], "课件.pptx", io.BytesIO(deck), content_length=None
    )
    hub.resources.act(world.contributor, record["id"], "submit")
    hub.resources.act(world.reviewer, record["id"], "publish")
    sha = hashlib.sha256(deck).hexdigest()
    assert hub.renditions.make(sha, office_render.OOXML + "presentationml.presentation")
    found = row(hub, Rendition, sha)
    assert (found.kind, found.mimetype) == ("pdf", "application/pdf")
    with hub.storage.open(found.rendition_sha256) as fh:
        assert len(PdfReader(fh).pages) == 3
    page = client.get(f"/r/{record['id']}").get_data(as_text=True)
    assert f'data-src="/api/v1/resources/{record["id"]}/renditions/' in page


def test_a_lost_task_or_an_older_video_is_sent_again_by_the_sweep_until_made(hub, clips):
    world = make_world(hub)
    record = hub.resources.create(world.contributor, valid_record())
    data = clips["lesson"].read_bytes()
    hub.files.upload(
        world.contributor, record["id"], "微课.mp4", io.BytesIO(data), content_length=None
    )
    sha = hashlib.sha256(data).hexdigest()
    # No outbox pass: as if the task was lost, or the video was stored before renditions existed.
    assert hub.renditions.missing() == [(sha, "video/mp4")]
    assert hub.renditions.sweep(hub.tasks) == 1
    assert ("make_rendition", (sha, "video/mp4")) in list(hub.tasks.sent)
    assert hub.renditions.make(sha, "video/mp4") is True
    assert hub.renditions.missing() == []
    assert hub.renditions.sweep(hub.tasks) == 0


def test_the_beat_sweeps_renditions():
    entry = default_beat_schedule()["sweep-renditions"]
    assert entry["task"] == "workers.tasks.sweep_renditions"
