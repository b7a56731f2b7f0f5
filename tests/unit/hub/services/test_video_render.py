"""What ffprobe declares decides whether ffmpeg may decode: any header, however odd, is either
refused with a reason or within the limits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub import sandbox
from hub.services.video_render import MediaLimits, check

LIMITS = MediaLimits()
numbers = st.one_of(
    st.none(),
    st.integers(-10, 100_000),
    st.text(max_size=6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["nan", "inf", "-inf", "1e400", "N/A"]),
)
stream = st.fixed_dictionaries(
    {"codec_type": st.sampled_from(["video", "audio", "data", None])},
    optional={"width": numbers, "height": numbers, "duration": numbers},
)
header = st.fixed_dictionaries(
    {"streams": st.lists(stream, max_size=20)},
    optional={"format": st.fixed_dictionaries({}, optional={"duration": numbers})},
)


@given(header)
def test_any_header_is_refused_or_within_the_limits(found):
    try:
        probe = check(found, LIMITS)
    except sandbox.LimitExceeded as exc:
        assert exc.reason in ("size", "time")
        return
    except sandbox.SandboxError:
        return  # no video stream
    assert probe.width <= LIMITS.max_width and probe.height <= LIMITS.max_height
    assert probe.seconds <= LIMITS.max_seconds
    assert len(found["streams"]) <= LIMITS.max_streams


def video(**fields) -> dict:
    return {"codec_type": "video", "width": 1280, "height": 720, **fields}


@pytest.mark.parametrize(
    ("found", "reason"),
    [
        ({"streams": [video(width=20000)]}, "size"),
        ({"streams": [video()] * 17}, "size"),
        ({"streams": [video(duration="86400")]}, "time"),
        ({"streams": [video()], "format": {"duration": "N/A"}}, "time"),  # unknown is endless
    ],
)
def test_what_no_decoder_should_be_asked_is_refused(found, reason):
    with pytest.raises(sandbox.LimitExceeded) as raised:
        check(found, LIMITS)
    assert raised.value.reason == reason


def test_an_ordinary_lesson_passes():
    found = {"streams": [video(duration="600.0"), {"codec_type": "audio"}]}
    probe = check(found, LIMITS)
    assert (probe.width, probe.height, probe.seconds, probe.has_audio) == (1280, 720, 600.0, True)
