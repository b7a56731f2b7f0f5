"""One mirrored file against a hostile parent: wrong ranges, 200 for a range, extra bytes, lies
about size; and the bandwidth cap's arithmetic on a fake clock."""

from __future__ import annotations

import hashlib

import pytest

from connectors.base import HttpClient, TooLarge
from connectors.outbound import OutboundPolicy
from hub.harvest.mirror_fetch import FileLied, RangedDownload, RateLimiter, staged
from tests.support.mirrors import Parent, ParentFile, pdf

BODY = pdf(200 * 1024)
SHA = hashlib.sha256(BODY).hexdigest()


@pytest.fixture
def parent():
    parent = Parent(delay=0)
    parent.add("r1", "primary", ParentFile("a.pdf", BODY))
    parent.start()
    yield parent
    parent.kill()


def download(parent, limiter=None, keep_going=lambda: True) -> RangedDownload:
    policy = OutboundPolicy.for_source(parent.url, allow_private_host=True)
    http = HttpClient(policy=policy, retries=0)
    return RangedDownload(http, limiter or RateLimiter(0), keep_going)


def fetch(parent, path, **kwargs) -> bool:
    announced = {"size": len(BODY), "sha256": SHA} | kwargs
    return download(parent).fetch(f"{parent.url}/files/a.pdf", str(path), headers={}, **announced)


def test_a_partial_file_is_resumed_from_its_offset(parent, tmp_path):
    path = tmp_path / "a.part"
    path.write_bytes(BODY[:70_000])
    assert fetch(parent, path)
    assert path.read_bytes() == BODY
    assert parent.file_requests()[0].headers["Range"] == "bytes=70000-"


def test_a_200_to_a_range_starts_over_cleanly(parent, tmp_path):
    parent.ignore_range = True
    path = tmp_path / "a.part"
    path.write_bytes(b"garbage that would corrupt the file if kept")
    assert fetch(parent, path)
    assert path.read_bytes() == BODY


def test_a_range_answered_from_elsewhere_drops_the_partial(parent, tmp_path):
    parent.range_from_zero = True
    path = tmp_path / "a.part"
    path.write_bytes(BODY[:50_000])
    with pytest.raises(FileLied, match="wrong range"):
        fetch(parent, path)
    assert not path.exists()
    parent.range_from_zero = False
    assert fetch(parent, path) and path.read_bytes() == BODY  # next time: from the start


def test_bytes_past_the_asked_range_are_never_written(parent, tmp_path):
    parent.extra = b"X" * 100_000
    path = tmp_path / "a.part"
    path.write_bytes(BODY[:1000])
    with pytest.raises(TooLarge):  # it declares more than the whole file
        fetch(parent, path)
    assert staged(str(path)) == 1000


def test_bytes_past_the_range_with_no_declared_length_are_dropped(parent, tmp_path):
    parent.extra, parent.send_length = b"X" * 100_000, False
    path = tmp_path / "a.part"
    path.write_bytes(BODY[:1000])
    assert fetch(parent, path)
    assert path.read_bytes() == BODY  # exactly the file: the flood past its end never written


def test_a_parent_that_lies_about_the_size_or_the_hash_gets_nothing_kept(parent, tmp_path):
    path = tmp_path / "a.part"
    with pytest.raises(FileLied):
        fetch(parent, path, size=len(BODY) - 10)  # a 200 declaring a length it did not announce
    assert not path.exists()
    with pytest.raises(FileLied, match="SHA-256"):
        fetch(parent, path, sha256="0" * 64)
    assert not path.exists()


def test_a_partial_longer_than_the_file_is_not_trusted(parent, tmp_path):
    path = tmp_path / "a.part"
    path.write_bytes(BODY + b"more")
    assert fetch(parent, path) and path.read_bytes() == BODY


def test_a_range_past_the_parents_end_is_refused_and_dropped(parent, tmp_path):
    path = tmp_path / "a.part"
    path.write_bytes(BODY[:1000])
    with pytest.raises(FileLied):
        fetch(parent, path, size=len(BODY) + 5000)  # 416: not the file it announced
    assert not path.exists()


def test_stopping_keeps_the_partial_bytes(parent, tmp_path):
    path = tmp_path / "a.part"
    calls = []
    stop_after_two = download(parent, keep_going=lambda: len(calls) < 2 and not calls.append(1))
    url = f"{parent.url}/files/a.pdf"
    assert not stop_after_two.fetch(url, str(path), size=len(BODY), sha256=SHA, headers={})
    assert 0 < staged(str(path)) < len(BODY)


class FakeTime:
    def __init__(self):
        self.now, self.slept = 0.0, 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept += seconds
        self.now += seconds


def test_the_cap_spreads_bytes_over_time_after_a_one_second_burst():
    fake = FakeTime()
    limiter = RateLimiter(1024 * 1024, clock=fake.clock, sleep=fake.sleep)
    for _block in range(10 * 16):  # 10 MiB in 64 KiB blocks
        limiter.take(64 * 1024)
    assert fake.now == pytest.approx(9.0, abs=0.07)  # the first second's worth was a burst


def test_no_cap_never_waits():
    fake = FakeTime()
    limiter = RateLimiter(0, clock=fake.clock, sleep=fake.sleep)
    limiter.take(10**9)
    assert fake.slept == 0
