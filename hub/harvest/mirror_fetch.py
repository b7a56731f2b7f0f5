"""One mirrored file: fetched into the staging area under a bandwidth cap, resumed with `Range`.

The partial bytes stay in the staging folder (never in storage) until the whole file is there
and its SHA-256 is the one the parent announced. Nothing the parent says is taken on trust: an
answer to a `Range` must start where we asked (else we start over), a 200 means it ignored the
range (we start over), a declared length over the announced size is a lie, bytes past the size
are never written.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable

from connectors.base import CHUNK, HttpClient, HttpError

CONTENT_RANGE_RE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")
READ = 1024 * 1024


class FileLied(Exception):
    """The parent's answer contradicts what it announced: the file's attempt fails."""


class RateLimiter:
    """A token bucket: `rate` bytes a second on average, in bursts of at most one second's."""

    def __init__(self, rate: int, *, clock: Callable[[], float] = time.monotonic, sleep=time.sleep):
        self.rate, self.clock, self.sleep = rate, clock, sleep
        self.allowance, self.last = float(rate), clock()

    def take(self, count: int) -> None:
        if not self.rate:
            return
        now = self.clock()
        self.allowance = min(self.rate, self.allowance + (now - self.last) * self.rate)
        self.last = now
        self.allowance -= count
        if self.allowance < 0:  # the debt is paid by the time the next block is read
            self.sleep(-self.allowance / self.rate)


class RangedDownload:
    """Fetch `url` into `path` until it holds `size` bytes; `keep_going()` False stops early."""

    def __init__(self, http: HttpClient, limiter: RateLimiter, keep_going: Callable[[], bool]):
        self.http, self.limiter, self.keep_going = http, limiter, keep_going

    def fetch(self, url: str, path: str, *, size: int, sha256: str, headers: dict) -> bool:
        """True when `path` holds the announced bytes; False when stopped (the partial stays).

        Raises FileLied (the partial is discarded) or HttpError (the partial stays)."""
        offset = staged(path)
        if offset > size:
            discard(path)
            offset = 0
        if offset < size and not self._copy(url, path, offset, size, headers):
            return False
        if staged(path) < size:
            return False
        if file_sha256(path) != sha256:
            discard(path)
            raise FileLied(
                "文件内容与上级平台公布的 SHA-256 不符，已丢弃。"
                f"The bytes do not match the SHA-256 the parent hub announced ({sha256[:12]}…); "
                "discarded, fetched again next time."
            )
        return True

    def _copy(self, url: str, path: str, offset: int, size: int, headers: dict) -> bool:
        asked = {**headers, "Range": f"bytes={offset}-"} if offset else dict(headers)
        try:
            response = self.http.get(url, headers=asked, stream=True)
        except HttpError as exc:
            if exc.status == 416:  # the parent's file is not the one announced
                discard(path)
                raise FileLied(f"{exc}: the range we had is not in the parent's file") from None
            raise
        with response:
            offset = self._start(response, path, offset, size)
            return self._append(response, url, path, offset, size)

    def _start(self, response, path: str, offset: int, size: int) -> int:
        """Where the body starts: `offset` for a right 206, 0 for a 200 (the partial is dropped)."""
        if response.status_code == 206 and offset:
            match = CONTENT_RANGE_RE.fullmatch(response.headers.get("Content-Range", "").strip())
            total = match and match[3]
            if not match or int(match[1]) != offset or (total != "*" and int(total) != size):
                discard(path)
                raise FileLied(
                    f"上级平台返回的范围不对（{response.headers.get('Content-Range', '-')[:60]}），"
                    f"已从头重新下载。The parent answered the wrong range for bytes={offset}- of "
                    f"{size}; the partial file was dropped and is fetched from the start next time."
                )
            return offset
        if response.status_code != 200:
            raise HttpError(f"unexpected HTTP {response.status_code}", response.status_code)
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) != size:
            discard(path)
            raise FileLied(
                f"上级平台声明的文件大小（{declared}）与公布的（{size}）不符。The parent sends "
                f"{declared} bytes where it announced {size}."
            )
        if offset:
            discard(path)  # the range was ignored: the whole file comes again, from its start
        return 0

    def _append(self, response, url: str, path: str, offset: int, size: int) -> bool:
        left = size - offset
        with open(path, "ab") as sink:
            # One block past the end may arrive (read, never written); a declared length past
            # it is refused before any byte is read.
            for block in self.http.file_body(response, url, max_bytes=left + CHUNK):
                sink.write(block[:left])  # bytes past the announced size are never kept
                left -= min(len(block), left)
                self.limiter.take(len(block))
                if not left:
                    return True
                if not self.keep_going():
                    return False
        return False  # the answer ended short: the partial stays for the next attempt


def staged(path: str) -> int:
    try:
        return os.path.getsize(path)
    except FileNotFoundError:
        return 0


def discard(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while block := stream.read(READ):
            digest.update(block)
    return digest.hexdigest()
