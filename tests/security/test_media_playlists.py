"""A "video" that is a playlist naming other files or URLs (HLS, concat) is never followed: ffmpeg
reads only plain containers from the one stored file, so an uploader cannot make the worker read
a local file into a rendition or fetch an internal URL."""

from __future__ import annotations

import pytest

from hub.db.models import Preview, Rendition
from tests.support import media


@pytest.fixture
def database_url(tmp_path):
    return f"sqlite:///{tmp_path / 'hub.db'}"


PLAYLISTS = {
    "hls-local": b"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n",
    "hls-url": b"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nhttp://169.254.169.254/x.ts\n"
    b"#EXT-X-ENDLIST\n",
    "concat": b"ffconcat version 1.0\nfile '/etc/passwd'\n",
}


def hls_of(path) -> bytes:
    """A playlist whose one segment is a real video elsewhere on the worker's disk: without the
    format allow-list ffmpeg would transcode that file."""
    return (
        f"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n{path.as_uri()}\n#EXT-X-ENDLIST\n".encode()
    )


@pytest.mark.parametrize("name", [*PLAYLISTS, "hls-real-video"])
def test_a_playlist_posing_as_a_video_gets_no_rendition_and_no_poster(hub, name, tmp_path):
    media.need_ffmpeg()
    if name == "hls-real-video":
        body = hls_of(media.lesson(tmp_path / "elsewhere.mp4", 2, "320x240"))
    else:
        body = PLAYLISTS[name]
    sha = hub.storage.put_bytes(body, "video/mp4")
    hub.renditions.make(sha, "video/mp4")
    hub.previews.make(sha, "video/mp4")
    with hub.db.session() as session:
        made, poster = session.get(Rendition, sha), session.get(Preview, sha)
        assert (made.kind, made.rendition_sha256) == ("none", None)
        assert (poster.kind, poster.preview_sha256) == ("none", None)
