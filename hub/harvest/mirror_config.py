"""A school mirror's settings as the operator writes them: the selection, the window, the rate."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hub.bundles.selection import FILTERS, field_matches
from hub.errors import ValidationFailed

# The search filters a mirror can apply to a parent's records by themselves (`org`, `source` and
# the words need the parent's organisations, sources and index).
SELECTABLE = tuple(name for name in FILTERS if name not in ("org", "source"))
DEFAULT_TIMEZONE = "Asia/Shanghai"  # the province's schools; `--timezone` for any other
WINDOW_RE = re.compile(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*")
RATE_RE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmg]i?)?b?\s*(?:/\s*s)?\s*", re.IGNORECASE)
UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
MIN_RATE, MAX_RATE = 1024, 10 * 1024**3
UNLIMITED = ("0", "unlimited", "none", "不限")


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed.from_messages({field: [message]})


@dataclass(frozen=True)
class Window:
    """Daily hours, in a time zone, when files may be fetched; the end may be past midnight."""

    start: time
    end: time
    zone: str = DEFAULT_TIMEZONE

    @property
    def text(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def is_open(self, now: datetime) -> bool:
        local = now.astimezone(ZoneInfo(self.zone)).time()
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end  # crosses midnight

    def next_open(self, now: datetime) -> datetime:
        """When the window next opens (now, when it is open)."""
        if self.is_open(now):
            return now
        local = now.astimezone(ZoneInfo(self.zone))
        opens = local.replace(
            hour=self.start.hour, minute=self.start.minute, second=0, microsecond=0
        )
        if opens <= local:
            opens += timedelta(days=1)
        return opens


def parse_window(text, zone: str | None = None) -> Window:
    """`22:00-06:00` (crossing midnight) or `01:00-05:30`, in `zone` (default Asia/Shanghai)."""
    match = WINDOW_RE.fullmatch(text) if isinstance(text, str) else None
    hint = (
        "时段须写成 开始-结束，24 小时制，例如 22:00-06:00（可跨午夜）。"
        f"Write the window as start-end on a 24-hour clock, e.g. 22:00-06:00 (it may cross "
        f"midnight); got {str(text)[:40]!r}."
    )
    if match is None:
        raise _invalid("window", hint)
    hours, minutes = (int(match[1]), int(match[3])), (int(match[2]), int(match[4]))
    if any(h > 23 for h in hours) or any(m > 59 for m in minutes):
        raise _invalid("window", hint)
    start, end = time(hours[0], minutes[0]), time(hours[1], minutes[1])
    if start == end:
        raise _invalid(
            "window",
            "时段的开始和结束不能相同；要全天下载，请不设时段。"
            "The window's start and end are the same; to fetch at any hour, set no window.",
        )
    return Window(start, end, check_zone(zone or DEFAULT_TIMEZONE))


def check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise _invalid(
            "timezone",
            f"未知的时区 {name[:60]!r}，请写成 Asia/Shanghai 这样的名称。"
            f"Unknown time zone {name[:60]!r}: give a name such as Asia/Shanghai.",
        ) from None
    return name


def parse_rate(text) -> int:
    """Bytes per second from `2MB/s`, `500KB/s`, `1.5 MiB/s` or plain bytes; 0 for no cap."""
    if isinstance(text, str) and text.strip().lower() in UNLIMITED:
        return 0
    match = RATE_RE.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise _invalid(
            "rate",
            "带宽上限须写成数字加单位，例如 2MB/s、500KB/s；0 表示不限。"
            f"Write the bandwidth cap as a number and a unit, e.g. 2MB/s or 500KB/s (0 for no "
            f"cap); got {str(text)[:40]!r}.",
        )
    rate = int(float(match[1]) * UNITS[(match[2] or "")[:1].lower()])
    if not MIN_RATE <= rate <= MAX_RATE:
        raise _invalid(
            "rate",
            "带宽上限须在 1KB/s 到 10GB/s 之间。"
            "The bandwidth cap must lie between 1KB/s and 10GB/s.",
        )
    return rate


def describe_rate(rate: int) -> str:
    if not rate:
        return "unlimited"
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if rate >= size:
            return f"{rate / size:g}{unit}/s"
    return f"{rate}B/s"


def parse_selection(pairs) -> dict[str, list[str]]:
    """`["stage=primary", "subject=math,chinese"]` as search filters `{"stage": [...], ...}`."""
    selection: dict[str, list[str]] = {}
    for pair in pairs or ():
        name, sep, values = str(pair).partition("=")
        name = name.strip()
        if not sep or name not in SELECTABLE:
            names = ", ".join(SELECTABLE)
            raise _invalid(
                "filter",
                f"筛选条件须写成 名称=值，名称为 {names} 之一；收到 {str(pair)[:60]!r}。"
                f"Write each filter as name=value with a name among {names}; got "
                f"{str(pair)[:60]!r}.",
            )
        chosen = [v.strip() for v in values.split(",") if v.strip()]
        if not chosen or any(len(v) > 200 for v in chosen):
            raise _invalid(
                "filter",
                f"筛选条件 {name} 缺少取值（或取值过长）。The filter {name} needs a value "
                "(of at most 200 characters).",
            )
        selection.setdefault(name, [])
        selection[name] += [v for v in chosen if v not in selection[name]]
    return selection


def selected(record: dict, selection: dict[str, list[str]]) -> bool:
    """Whether a parent's record lies in the mirror's selection (every filter holds)."""
    return all(field_matches(record, name, values) for name, values in selection.items())
