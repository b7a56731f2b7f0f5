"""The connector interface: what every source kind yields, and the HTTP client connectors share."""

from __future__ import annotations

import hashlib
import json
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import IO, Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
import urllib3

from connectors.outbound import (
    CREDENTIAL_HEADERS,
    UNLIMITED,
    OutboundPolicy,
    Refused,
    RunBudget,
    Target,
    origin_of,
)
from connectors.pinned import PinnedAdapter, host_header

USER_AGENT = "EduHub/1.0 (+federation harvester)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
CHUNK = 64 * 1024


@dataclass(frozen=True)
class SourceConfig:
    """A source's settings as the connector sees them (no database objects)."""

    name: str
    kind: str
    url: str
    set_spec: str | None = None
    metadata_prefix: str | None = None
    # kind-specific, e.g. national hosts, auth keys; kept out of repr: it may hold a token
    options: dict[str, Any] = field(default_factory=dict, repr=False)
    fetch_files: bool = False
    max_file_bytes: int = 2048 * 1024 * 1024
    allow_private_host: bool = False  # the operator says this source is on the hub's own network


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
    """A record to create or update; `record` holds canonical fields (title, subjects, ...,
    origin_url)."""

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
    """A record the connector could not read or map; kept on the run with its reason, never stops
    it."""

    external_id: str
    reason: str
    payload: Any = None  # JSON-serialisable: the raw record (or an excerpt) for a retry or a human
    cursor_after: str | None = None


Item = Upsert | Delete | Failed


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

    @classmethod
    def file_origins(cls, config: SourceConfig) -> tuple[str, ...]:
        """Hosts besides the source's own that serve its files (and may receive its credentials)."""
        return ()

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
    """GETs under the outbound policy: checked, pinned hops; retries; caps; deadlines."""

    def __init__(
        self,
        *,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        max_body_bytes: int = 256 * 1024 * 1024,
        max_json_bytes: int = 32 * 1024 * 1024,
        response_seconds: float = 600.0,
        file_seconds: float = 3 * 3600.0,
        policy: OutboundPolicy | None = None,
        budget: RunBudget | None = None,
        verify: bool | str = True,
        session: requests.Session | None = None,
        sleep=time.sleep,
        clock=time.monotonic,
    ):
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_body_bytes = max_body_bytes
        self.max_json_bytes = max_json_bytes
        self.response_seconds = response_seconds  # one page or document
        self.file_seconds = file_seconds  # one file: large ones on a rural link take a while
        self.policy = policy or OutboundPolicy()
        self.budget = budget or UNLIMITED
        self.verify = (
            verify  # True (the system's CAs) or a CA bundle's path, for a hub with a private CA
        )
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self._sleep = sleep
        self._clock = clock

    def get(
        self, url: str, *, params=None, headers=None, stream: bool = False
    ) -> requests.Response:
        """GET with retries on timeouts, resets, 5xx and 429; raises HttpError on a final
        failure."""
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = self._follow(url, params, headers)
            except (requests.Timeout, requests.ConnectionError) as exc:
                if last:
                    raise HttpError(f"{_safe(url)}: {type(exc).__name__}") from exc
                self._sleep(self._delay(attempt, None))
                continue
            if response.status_code in RETRY_STATUSES and not last:
                delay = self._delay(attempt, response.headers.get("Retry-After"))
                response.close()
                self._sleep(min(delay, self._budget_left()))
                continue
            if response.status_code >= 400:
                response.close()
                raise HttpError(f"{_safe(url)}: HTTP {response.status_code}", response.status_code)
            if not stream:
                with response:
                    response._content = b"".join(self._chunks(response, self.max_body_bytes, url))
            return response
        raise AssertionError("unreachable")

    def _follow(self, url: str, params, headers) -> requests.Response:
        """Redirects by hand: each hop checked and pinned; credentials dropped once a hop leaves."""
        hop_url = _prepared_url(url, params)
        credentials = {k: v for k, v in (headers or {}).items() if k.lower() in CREDENTIAL_HEADERS}
        first_origin = origin_of(hop_url)
        for _hop in range(self.policy.max_redirects + 1):
            target = self._check(hop_url)
            if target.origin != first_origin or not self.policy.may_send_credentials(hop_url):
                credentials = {}
            plain = {
                k: v for k, v in (headers or {}).items() if k.lower() not in CREDENTIAL_HEADERS
            }
            response = self._send(target, {**plain, **credentials})
            location = response.headers.get("Location")
            if response.status_code not in REDIRECTS or not location:
                return response
            response.close()
            hop_url = _prepared_url(urljoin(hop_url, location))
        raise HttpError(f"{_safe(url)}: more than {self.policy.max_redirects} redirects")

    def _check(self, url: str) -> Target:
        try:
            return self.policy.check(url)
        except Refused as exc:
            raise PolicyRefused(str(exc)) from None

    def _send(self, target: Target, headers: dict) -> requests.Response:
        prepared = requests.Request("GET", target.url, headers=dict(self.session.headers)).prepare()
        prepared.headers.update(headers)
        prepared.headers["Host"] = host_header(target)
        prepared.headers["Accept-Encoding"] = "identity"  # no decompression bombs to inflate
        wait = min(self.timeout, self._budget_left())
        adapter = PinnedAdapter(target)
        response = adapter.send(prepared, stream=True, timeout=(wait, wait), verify=self.verify)
        response.started = self._clock()
        return response

    def _budget_left(self) -> float:
        try:
            return self.budget.remaining()
        except Refused as exc:
            raise PolicyRefused(str(exc)) from None

    def get_bytes(
        self, url: str, *, params=None, headers=None, max_bytes: int | None = None
    ) -> bytes:
        """The whole body, refusing more than `max_bytes` (default: the client's cap)."""
        cap = max_bytes or self.max_body_bytes
        with self.get(url, params=params, headers=headers, stream=True) as response:
            return b"".join(self._chunks(response, cap, url))

    def get_json(self, url: str, *, params=None, headers=None, max_bytes: int | None = None) -> Any:
        """The body as JSON (capped: a page is parsed in memory); garbage raises ConnectorError."""
        cap = min(max_bytes or self.max_json_bytes, self.max_json_bytes)
        body = self.get_bytes(url, params=params, headers=headers, max_bytes=cap)
        try:
            return json.loads(body)
        except ValueError as exc:
            # Never the body itself: it may come from a host we should not have reached.
            raise ConnectorError(f"{_safe(url)}: not JSON ({type(exc).__name__})") from None

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
            for chunk in self._chunks(response, cap, url, self.file_seconds):
                digest.update(chunk)
                size += len(chunk)
                sink.write(chunk)
        sha = digest.hexdigest()
        if expected_sha256 and sha != expected_sha256.lower():
            raise ChecksumMismatch(
                f"{_safe(url)}: SHA-256 {sha} is not the announced {expected_sha256}"
            )
        return size, sha

    def file_body(self, response, url: str, *, max_bytes: int) -> Iterator[bytes]:
        """A streamed file answer's body in blocks, under the same caps, deadline and budget as
        `stream_to` (for a caller that reads the status first: a resumed `Range` request)."""
        return self._chunks(response, max_bytes, url, self.file_seconds)

    def _chunks(self, response, cap: int, url: str, seconds: float | None = None):
        """The body in blocks, within the size cap, the response deadline and the run's budget."""
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise TooLarge(f"{_safe(url)}: {declared} bytes is over the limit of {cap}")
        seconds = seconds or self.response_seconds
        ends = getattr(response, "started", self._clock()) + seconds
        seen = 0
        while True:
            if self._clock() > ends:
                raise HttpError(f"{_safe(url)}: the answer took longer than {seconds:.0f} s")
            self._budget_left()
            try:
                block = response.raw.read1(CHUNK, decode_content=False)
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                raise HttpError(f"{_safe(url)}: {type(exc).__name__} while reading") from None
            if not block:
                return
            seen += len(block)
            if seen > cap:
                raise TooLarge(f"{_safe(url)}: more than {cap} bytes")
            try:
                self.budget.spend(len(block))
            except Refused as exc:
                raise PolicyRefused(str(exc)) from None
            yield block

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        hinted = _parse_retry_after(retry_after)
        if hinted is not None:
            return min(hinted, self.max_backoff)
        return min(self.backoff * (2**attempt), self.max_backoff)


class PolicyRefused(ConnectorError):
    """The outbound policy refused a request (address, scheme, file host) or the run's budget."""


def _prepared_url(url: str, params=None) -> str:
    """The URL as it will be sent (query added, IDNA host); refused if requests cannot send it."""
    try:
        return requests.Request("GET", url, params=params).prepare().url
    except (requests.RequestException, ValueError) as exc:
        raise PolicyRefused(
            f"无法使用的地址：{url[:200]!r}。Unusable URL {url[:200]!r}: {type(exc).__name__}."
        ) from None


def _safe(url: str) -> str:
    """A URL for a message: no user-info, no query (it may carry a token), 200 characters."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))[:200]


def _parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None
