"""Videos for the media tests and bench, made by ffmpeg: a real micro-lesson, and hostile files
whose headers declare what no decoder should be asked to do."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

from tests.support import need

QUIET = ["-hide_banner", "-nostdin", "-loglevel", "error", "-y"]


def need_ffmpeg() -> None:
    if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
        need("ffmpeg", "ffmpeg/ffprobe are missing (apt-get install ffmpeg)")


def lesson(path: Path, seconds: float = 3, size: str = "1280x720", bitrate: str = "") -> Path:
    """A test pattern with a 440 Hz tone: H.264 + AAC, as a phone or a screen recorder makes it.
    `bitrate` (e.g. "3M") makes a constant-rate original, as heavy as a real lesson's."""
    video = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    if bitrate:
        video += ["-b:v", bitrate, "-minrate", bitrate, "-maxrate", bitrate, "-bufsize", bitrate]
    command = [
        *["ffmpeg", *QUIET, "-f", "lavfi", "-i", f"testsrc=size={size}:rate=25"],
        *["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", str(seconds)],
        *video,
        *["-c:a", "aac", "-b:a", "96k", "-shortest", str(path)],
    ]
    subprocess.run(command, check=True, timeout=max(120, seconds * 2))
    return path


def huge_frames(path: Path) -> Path:
    """One real frame of 8640x8640: small on disk (a flat colour), 75 million pixels to decode."""
    command = [
        *["ffmpeg", *QUIET, "-f", "lavfi", "-i", "color=s=8640x8640:r=1", "-frames:v", "1"],
        *["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)],
    ]
    subprocess.run(command, check=True, timeout=60)
    return path


def endless(source: Path, path: Path) -> Path:
    """`source` with its movie header saying it lasts 49 days (a version-0 `mvhd`)."""
    data = bytearray(source.read_bytes())
    at = data.find(b"mvhd")
    if at < 0 or data[at + 4] != 0:
        raise ValueError("no version-0 mvhd box")
    duration = at + 4 + 4 + 8 + 4  # version and flags, creation and modification times, timescale
    data[duration : duration + 4] = struct.pack(">I", 0xFFFFFFF0)
    path.write_bytes(bytes(data))
    return path
