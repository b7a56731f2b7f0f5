"""The connector interface: what every source kind yields, and the HTTP client connectors share."""

from __future__ import annotations

import hashlib
import json
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import IO, Any, Union

import requests

USER_AGENT = "EduHub/1.0 (+federation harvester)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class SourceConfig:
    """A source's settings as the connector sees them (no database objects)."""

    name: str
    kind: str
    url: str
    set_spec: str | None = None
    metadata_prefix: str | None = None
    options: dict[str, Any] = field(
        default_factory=dict
    )  # kind-specific, e.g. national hosts, auth keys
    fetch_files: bool = False
    max_file_bytes: int = 2048 * 1024 * 1024


@dataclass(frozen=True)
class RemoteFile:
    """A file the sync service should fetch, check against `sha256` (when known) and store once."""

    name: str
    url: str
    size: int | None = None
    sha256: str | None = None
    mimetype: str | None = None
    headers: dict[str, str] = field(
        default_factory=dict
    )  # e.g. X-ND-AUTH, computed by the connector


@dataclass(frozen=True)
class Upsert:
    """A record to create or update; `record` holds canonical fields (title, subjects, ..., origin_url)."""

    external_id: str
    record: dict
    files: list[RemoteFile] = field(default_factory=list)
    cursor_after: str | None = None


@dataclass(frozen=True)
class Delete:
    """The source deleted (or withdrew) this record: tombstone it here."""

    external_id: str
    cursor_after: str | None = None


@dataclass(frozen=True)
class Failed:
    """A record the connector could not read or map; kept on the run with its reason, never stops it."""

    external_id: str
    reason: str
    payload: Any = None  # JSON-serialisable: the raw record (or an excerpt) for a retry or a human
    cursor_after: str | None = None


Item = Union[Upsert, Delete, Failed]


class ConnectorError(Exception):
    """The whole harvest cannot go on (protocol error, bad credentials, hostile answer)."""


class Connector(ABC):
    """One source kind. Connectors never touch the database; they yield items in source order.

    Cursors are opaque strings only the connector understands. The sync service saves each item's
    `cursor_after` once everything before it is committed, and passes the last one back on the
    next run, so `cursor_after` must mean "everything up to and including this item is done".
    Yield `cursor_after=None` where resuming mid-page is impossible; the last saved cursor stays.
    """

    kind: str = ""

    def __init__(self, source_config: SourceConfig, http: HttpClient):
        self.config = source_config
        self.http = http

    @abstractmethod
    def harvest(self, cursor: str | None, *, full: bool) -> Iterator[Item]:
        """Items changed since `cursor` (everything when `full` or `cursor` is None)."""

    def retry(self, external_id: str, payload: Any) -> Item:
        """Fetch one record again for a failure retry; the default maps nothing and fails again."""
        return Failed(external_id, "this source cannot refetch a single record", payload)


class HttpError(ConnectorError):
    """An HTTP answer we gave up on (after retries), with the status when there was one."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class TooLarge(HttpError):
    """A body went over its size cap."""


class ChecksumMismatch(ConnectorError):
    """A fetched file's SHA-256 is not the one the source announced."""


class HttpClient:
    """A requests session with timeouts, retries with back-off, size caps and our User-Agent."""

    def __init__(
        self,
        *,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        max_body_bytes: int = 256 * 1024 * 1024,
        session: requests.Session | None = None,
        sleep=time.sleep,
    ):
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_body_bytes = max_body_bytes
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self._sleep = sleep

    def get(
        self, url: str, *, params=None, headers=None, stream: bool = False
    ) -> requests.Response:
        """GET with retries on timeouts, resets, 5xx and 429; raises HttpError on a final failure."""
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = self.session.get(
                    url, params=params, headers=headers, timeout=self.timeout, stream=stream
                )
            except (requests.Timeout, requests.ConnectionError) as exc:
                if last:
                    raise HttpError(f"{url}: {type(exc).__name__}: {exc}") from exc
                self._sleep(self._delay(attempt, None))
                continue
            if response.status_code in RETRY_STATUSES and not last:
                delay = self._delay(attempt, response.headers.get("Retry-After"))
                response.close()
                self._sleep(delay)
                continue
            if response.status_code >= 400:
                response.close()
                raise HttpError(f"{url}: HTTP {response.status_code}", response.status_code)
            return response
        raise AssertionError("unreachable")

    def get_bytes(
        self, url: str, *, params=None, headers=None, max_bytes: int | None = None
    ) -> bytes:
        """The whole body, refusing more than `max_bytes` (default: the client's cap)."""
        cap = max_bytes or self.max_body_bytes
        with self.get(url, params=params, headers=headers, stream=True) as response:
            return b"".join(_capped_chunks(response, cap, url))

    def get_json(self, url: str, *, params=None, headers=None, max_bytes: int | None = None) -> Any:
        """The body parsed as JSON; garbage raises ConnectorError naming the URL."""
        body = self.get_bytes(url, params=params, headers=headers, max_bytes=max_bytes)
        try:
            return json.loads(body)
        except ValueError as exc:
            raise ConnectorError(f"{url}: not JSON ({exc}); first bytes: {body[:80]!r}") from exc

    def stream_to(
        self,
        url: str,
        sink: IO[bytes],
        *,
        headers=None,
        max_bytes: int | None = None,
        expected_sha256: str | None = None,
    ) -> tuple[int, str]:
        """Copy the body into `sink`, hashing as it goes; returns (size, sha256 hex)."""
        cap = max_bytes or self.max_body_bytes
        digest, size = hashlib.sha256(), 0
        with self.get(url, headers=headers, stream=True) as response:
            for chunk in _capped_chunks(response, cap, url):
                digest.update(chunk)
                size += len(chunk)
                sink.write(chunk)
        sha = digest.hexdigest()
        if expected_sha256 and sha != expected_sha256.lower():
            raise ChecksumMismatch(f"{url}: SHA-256 {sha} is not the announced {expected_sha256}")
        return size, sha

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        hinted = _parse_retry_after(retry_after)
        if hinted is not None:
            return min(hinted, self.max_backoff)
        return min(self.backoff * (2**attempt), self.max_backoff)


def _capped_chunks(response: requests.Response, cap: int, url: str, chunk: int = 64 * 1024):
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > cap:
        raise TooLarge(f"{url}: {declared} bytes is over the limit of {cap}")
    seen = 0
    for block in response.iter_content(chunk):
        seen += len(block)
        if seen > cap:
            raise TooLarge(f"{url}: more than {cap} bytes")
        yield block


def _parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None
