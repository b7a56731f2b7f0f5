"""Video by ffmpeg, in the sandbox: a look before the work (ffprobe), a poster frame, and a small
rendition (360p H.264 + AAC, fragmented MP4 with its index first) that starts within a second or
two on a 1 Mbit/s line.

Files come from anyone. ffprobe reads only the header, so it runs first, under the sandbox's limits,
and what it declares decides whether ffmpeg may decode at all: frame size, duration and the number
of streams (a decoder allocates frames of the declared size before it reads a single pixel). ffmpeg
then runs with CPU, memory and wall-clock limits, an output-size cap (`-fs`) and a duration cap
(`-t`), so a file that lies in its header is still stopped.
"""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

from hub import sandbox

PROBE_TIMEOUT = 20  # seconds: ffprobe reads headers only
POSTER_TIMEOUT = 30
POSTER_AT = 1.0  # seconds into the video: the first frame is often black
LOW_HEIGHT = 360
# Keyframes every 2 s (at 25 fps): a seek or a first frame needs at most 2 s of video.
LOW_VIDEO = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "28", "-g", "50"]
LOW_VIDEO += ["-maxrate", "600k", "-bufsize", "1200k"]
# Fragments at each keyframe with the index of every fragment (sidx) moved to the front
# (faststart): a flat faststart index grows with the length (~0.5 MB for 10 minutes, 4 s at
# 1 Mbit/s before the first frame), this one stays ~1 KB plus the first fragment.
LOW_MP4 = ["-movflags", "+frag_keyframe+empty_moov+default_base_moof+global_sidx+faststart"]
LOW_AUDIO = ["-c:a", "aac", "-b:a", "64k", "-ac", "2"]
QUIET = ["-hide_banner", "-nostdin", "-loglevel", "error"]
# Only plain container formats, read from the one local file: a playlist (HLS, concat) would make
# ffmpeg open other files or URLs that the uploader names.
DEMUXERS = "mov,matroska,avi,flv,mpegts,mpeg,asf,ogg"
SAFE_INPUT = ["-format_whitelist", DEMUXERS, "-protocol_whitelist", "file"]


@dataclass(frozen=True)
class MediaLimits:
    """What a video may declare before it is decoded, and what its rendition may cost."""

    max_width: int = 7680
    max_height: int = 4320
    max_seconds: float = 4 * 3600.0  # a recorded lesson day, not an endless stream
    max_streams: int = 16
    max_output_mb: float = 1024.0
    cpu_per_second: float = 2.0  # CPU seconds per second of video (360p veryfast needs ~0.2)
    wall_seconds: float = 1800.0  # a 45-minute lesson takes a few minutes on one core


@dataclass
class Probe:
    width: int
    height: int
    seconds: float
    has_audio: bool


def available() -> bool:
    return shutil.which("ffmpeg") is not None and shutil.which("ffprobe") is not None


def probe(path: Path, limits: MediaLimits) -> Probe:
    """What the file declares, checked against `limits`; raises sandbox.LimitExceeded (size, time)
    or sandbox.SandboxError (not a video ffprobe can read)."""
    command = ["ffprobe", "-v", "error", *SAFE_INPUT, "-print_format", "json"]
    command += ["-show_format", "-show_streams"]
    out = sandbox.run([*command, str(path)], cwd=path.parent, timeout=PROBE_TIMEOUT)
    try:
        found = json.loads(out or b"{}")
    except ValueError:
        raise sandbox.SandboxError("ffprobe gave no answer") from None
    return check(found, limits)


def check(found: dict, limits: MediaLimits) -> Probe:
    """Refuse what a decoder should never be asked to do: see MediaLimits."""
    streams = found.get("streams") or []
    if len(streams) > limits.max_streams:
        raise sandbox.LimitExceeded("size", f"{len(streams)} streams (limit {limits.max_streams})")
    video = [s for s in streams if s.get("codec_type") == "video"]
    if not video:
        raise sandbox.SandboxError("no video stream")
    width, height = (
        max(_int(s.get("width")) for s in video),
        max(_int(s.get("height")) for s in video),
    )
    if width > limits.max_width or height > limits.max_height:
        raise sandbox.LimitExceeded(
            "size", f"frames of {width}x{height} (limit {limits.max_width}x{limits.max_height})"
        )
    seconds = _seconds(found, streams)
    if seconds > limits.max_seconds:
        raise sandbox.LimitExceeded(
            "time", f"declares {seconds:.0f} s (limit {limits.max_seconds:.0f} s)"
        )
    has_audio = any(s.get("codec_type") == "audio" for s in streams)
    return Probe(width, height, seconds, has_audio)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return 0


def _seconds(found: dict, streams: list[dict]) -> float:
    """The longest duration the container or any stream declares; unknown counts as endless."""
    declared = [(found.get("format") or {}).get("duration"), *(s.get("duration") for s in streams)]
    values = []
    for value in declared:
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            continue
        values.append(seconds if math.isfinite(seconds) else math.inf)  # "nan" is not a length
    return max(values) if values else math.inf


def poster(path: Path, out: Path, size: int) -> Path:
    """One frame (at POSTER_AT, or the first for a shorter clip) as a PNG at most `size` wide."""
    seek = ["-ss", str(POSTER_AT)]
    scale = f"scale='min({size},iw)':-2"
    for attempt in (seek, []):  # a clip shorter than POSTER_AT has no frame there
        command = ["ffmpeg", *QUIET, "-y", *attempt, *SAFE_INPUT, "-i", str(path), "-frames:v", "1"]
        sandbox.run([*command, "-vf", scale, str(out)], cwd=out.parent, timeout=POSTER_TIMEOUT)
        if out.is_file() and out.stat().st_size:
            return out
    raise sandbox.SandboxError("ffmpeg wrote no poster frame")


def low_rendition(path: Path, out: Path, found: Probe, limits: MediaLimits) -> Path:
    """The 360p H.264 + AAC MP4 with its index first (it plays while it downloads)."""
    cap = int(limits.max_output_mb * 1024 * 1024)
    scale = f"scale=-2:'min({LOW_HEIGHT},ih)'"
    audio = LOW_AUDIO if found.has_audio else ["-an"]
    command = [
        *["ffmpeg", *QUIET, "-y", *SAFE_INPUT, "-i", str(path), "-map", "0:v:0"],
        *(["-map", "0:a:0"] if found.has_audio else []),
        *["-vf", scale, "-pix_fmt", "yuv420p", *LOW_VIDEO, *audio],
        *["-t", str(limits.max_seconds), "-fs", str(cap), "-threads", "2"],
        *[*LOW_MP4, str(out)],
    ]
    sandbox.run(
        command,
        cwd=out.parent,
        timeout=limits.wall_seconds,
        name="ffmpeg",
        limits_=_cpu(found, limits),
    )
    if not out.is_file() or out.stat().st_size == 0:
        raise sandbox.SandboxError("ffmpeg wrote no rendition")
    if out.stat().st_size >= cap:  # -fs stops at the cap and exits 0: the rendition is cut short
        raise sandbox.LimitExceeded("size", f"rendition larger than {limits.max_output_mb} MB")
    return out


def _cpu(found: Probe, limits: MediaLimits) -> sandbox.SandboxLimits:
    """The sandbox's limits with CPU time in proportion to the (already checked) duration."""
    lim = sandbox.limits()
    budget = lim.cpu_seconds + int(limits.cpu_per_second * found.seconds)
    return replace(lim, cpu_seconds=budget)
