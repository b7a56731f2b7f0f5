"""A mirror's window, rate and selection as an operator writes them, and the errors they get."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.errors import ValidationFailed
from hub.harvest.mirror_config import (
    describe_rate,
    parse_rate,
    parse_selection,
    parse_window,
    selected,
)
from tests.support.mirrors import SHANGHAI, at

times = st.times().map(lambda t: t.replace(second=0, microsecond=0))


def _messages(exc: ValidationFailed) -> str:
    return " ".join(m for e in exc.errors for m in e["messages"])


@given(start=times, end=times, now=times)
def test_a_window_is_open_between_its_hours_crossing_midnight_or_not(start, end, now):
    if start == end:
        return
    window = parse_window(f"{start:%H:%M}-{end:%H:%M}")
    moment = datetime(2026, 12, 7, now.hour, now.minute, tzinfo=SHANGHAI)
    inside = start <= now < end if start < end else not (end <= now < start)
    assert window.is_open(moment) == inside
    assert window.text == f"{start:%H:%M}-{end:%H:%M}"
    opens = window.next_open(moment)
    assert window.is_open(opens) and opens >= moment


def test_the_night_window_crosses_midnight_in_the_schools_time_zone():
    window = parse_window("22:00-06:00")
    assert window.start == time(22) and window.zone == "Asia/Shanghai"
    assert [window.is_open(at(h)) for h in (21, 22, 23, 0, 5, 6, 12)] == [
        False, True, True, True, True, False, False,
    ]  # fmt: skip
    # 15:00 UTC is 23:00 in Shanghai: the hub's own clock is UTC, the window is the school's.
    assert window.is_open(datetime(2026, 12, 7, 15, tzinfo=UTC))
    assert parse_window("22:00-06:00", "UTC").is_open(datetime(2026, 12, 7, 23, tzinfo=UTC))


@pytest.mark.parametrize(
    "text", ["", "22-06", "22:00", "24:00-06:00", "22:60-06:00", "22:00-06:00-07:00", "晚上", None]
)
def test_a_window_that_does_not_read_is_refused_in_both_languages(text):
    with pytest.raises(ValidationFailed) as caught:
        parse_window(text)
    message = _messages(caught.value)
    assert "22:00-06:00" in message and "时段" in message and "window" in message


def test_an_empty_window_and_an_unknown_zone_say_what_to_do():
    with pytest.raises(ValidationFailed) as same:
        parse_window("06:00-06:00")
    assert "set no window" in _messages(same.value)
    with pytest.raises(ValidationFailed) as zone:
        parse_window("22:00-06:00", "Mars/Olympus")
    assert "Asia/Shanghai" in _messages(zone.value) and "时区" in _messages(zone.value)


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("2MB/s", 2 * 1024**2),
        ("500KB/s", 500 * 1024),
        ("1.5 MiB/s", int(1.5 * 1024**2)),
        ("4096", 4096),
        ("1g", 1024**3),
        ("0", 0),
        ("unlimited", 0),
    ],
)
def test_rates_read_with_their_units(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["fast", "2TB/s", "100", "-1MB/s", "2MB/h", "", "1e6"])
def test_a_rate_that_does_not_read_or_is_out_of_range_is_refused(text):
    with pytest.raises(ValidationFailed) as caught:
        parse_rate(text)
    assert "带宽" in _messages(caught.value) and "cap" in _messages(caught.value)


@given(st.integers(min_value=1024, max_value=10 * 1024**3))
def test_a_described_rate_reads_back_within_a_percent(rate):
    assert abs(parse_rate(describe_rate(rate)) - rate) <= rate / 100


def test_a_selection_is_the_search_filters_and_matches_a_parents_records():
    selection = parse_selection(["stage=primary", "subject=math,chinese", "subject=math"])
    assert selection == {"stage": ["primary"], "subject": ["math", "chinese"]}
    assert selected({"stage": "primary", "subjects": ["chinese"]}, selection)
    assert not selected({"stage": "junior", "subjects": ["math"]}, selection)
    assert not selected({"stage": "primary", "subjects": [{"not": "a string"}]}, selection)
    assert selected({"anything": 1}, {})


@pytest.mark.parametrize("pair", ["stage", "org=nx", "q=黄河", "stage=", "colour=red", "=x"])
def test_a_filter_the_mirror_cannot_apply_is_refused(pair):
    with pytest.raises(ValidationFailed) as caught:
        parse_selection([pair])
    assert "filter" in _messages(caught.value)
