"""The one outbound HTTP policy: what a source may make the hub fetch, where credentials may go.

Every connector request and file fetch goes through `HttpClient`, which asks it before each hop.
Nothing a peer says widens it: the operator's source settings (its URL, its file hosts,
`allow_private_host`) are the only inputs.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
_BELOW_BANG = re.compile("[\x00-\x20]")  # controls and space: never in a link kept
# Cloud metadata endpoints (AWS/GCP/Azure/Oracle, Alibaba, AWS IPv6): refused even when allowed.
METADATA = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "100.100.100.200", "fd00:ec2::254")
)
# Headers that carry a credential: sent to the source's trusted origins only, dropped elsewhere.
CREDENTIAL_HEADERS = frozenset({"authorization", "x-nd-auth", "cookie", "proxy-authorization"})


class Refused(Exception):
    """The policy forbids this request; the message names the host, never a body from it."""


class Unresolvable(Refused):
    """The name does not resolve (now): refused for a request, tolerated when a source is added."""


def origin_of(url: str) -> str:
    """`scheme://host:port`, lower-cased, the default port explicit; '' for no http(s) host."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower())
    except (ValueError, AttributeError):
        return ""
    if not parts.hostname or parts.scheme.lower() not in SCHEMES:
        return ""
    host = parts.hostname.lower()
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme.lower()}://{host}:{port}"


def bearer(token: str | None, url: str, source_url: str) -> dict:
    """A source's bearer token as a header, for the source's own origin only (the client drops
    credentials again on any hop that leaves it)."""
    if not token or origin_of(url) != origin_of(source_url):
        return {}
    return {"Authorization": f"Bearer {token}"}


def public_link(value) -> str | None:
    """A link from outside, kept only when an absolute http(s) URL (no javascript:, data:, ...)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if _BELOW_BANG.search(text) or not origin_of(text):
        return None
    return text


def address_class(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address is off the public Internet ('loopback', 'private', ...), or None."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or _nat64(ip)
        if embedded is not None:
            return address_class(embedded)
    checks = (
        (ip in METADATA, "cloud-metadata"),
        (ip.is_unspecified, "unspecified"),
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),
        (ip.is_private, "private"),
        (ip.is_reserved, "reserved"),
        (not ip.is_global, "not public"),
    )
    return next((name for hit, name in checks if hit), None)


ALWAYS_REFUSED = frozenset({"cloud-metadata", "unspecified", "multicast"})


def _nat64(ip: ipaddress.IPv6Address):
    if ip in ipaddress.ip_network("64:ff9b::/96"):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


@dataclass(frozen=True)
class Target:
    """One checked hop: the URL, its origin, and the address the connection must use."""

    url: str
    origin: str
    host: str
    port: int
    ip: str


@dataclass(frozen=True)
class OutboundPolicy:
    """`trusted`: origins that get credentials and host files; `private`: origins on a LAN."""

    trusted: frozenset[str] = frozenset()
    private: frozenset[str] = frozenset()
    max_redirects: int = 5
    resolver: Callable = field(default=socket.getaddrinfo, compare=False, repr=False)

    @classmethod
    def for_source(
        cls, url: str, *, file_origins: Iterable[str] = (), allow_private_host: bool = False
    ) -> OutboundPolicy:
        trusted = frozenset(o for o in (origin_of(u) for u in (url, *file_origins)) if o)
        return cls(trusted=trusted, private=trusted if allow_private_host else frozenset())

    def check(self, url: str) -> Target:
        """Scheme, host and every address the name resolves to; the first one is the one to use."""
        origin = origin_of(url)
        if not origin:
            raise Refused(
                f"只能访问 http:// 或 https:// 地址：{url[:200]!r}。"
                f"Only http:// and https:// URLs may be fetched: {url[:200]!r}."
            )
        parts = urlsplit(url.strip())
        host, port = parts.hostname.lower(), parts.port or DEFAULT_PORTS[parts.scheme.lower()]
        addresses = self._resolve(host, port)
        for ip in addresses:
            self._check_address(host, ip, origin)
        return Target(url.strip(), origin, host, port, str(addresses[0]))

    def check_file(self, url: str) -> None:
        """A file link must stay on the source's origin or its allow-listed file hosts."""
        if origin_of(url) not in self.trusted:
            raise Refused(
                f"文件链接指向数据源以外的主机（{origin_of(url) or url[:200]}），已拒绝；"
                "如确属该数据源，请把主机加入数据源的 file_origins。"
                f"The file link points outside the source ({origin_of(url) or url[:200]}). "
                "If that host belongs to the source, add it to the source's file_origins."
            )

    def may_send_credentials(self, url: str) -> bool:
        return origin_of(url) in self.trusted

    def _resolve(self, host: str, port: int) -> list:
        try:
            infos = self.resolver(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise Unresolvable(
                f"无法解析主机名 {host}。Cannot resolve the host name {host}: {exc}."
            ) from None
        found = list(
            dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos)
        )
        if not found:
            raise Unresolvable(f"主机 {host} 没有地址。The host {host} has no address.")
        return found

    def _check_address(self, host: str, ip, origin: str) -> None:
        kind = address_class(ip)
        if kind is None or (kind not in ALWAYS_REFUSED and origin in self.private):
            return
        hint = (
            ""
            if kind in ALWAYS_REFUSED
            else " 若该数据源确在本地网络中，请以 --allow-private-host 登记。"
            "If this source really is on your own network, register it with --allow-private-host."
        )
        raise Refused(
            f"出站请求被拒绝：{host} 解析为 {ip}（{kind} 地址）。"
            f"Outbound request refused: {host} resolves to {ip}, a {kind} address.{hint}"
        )


class RunBudget:
    """A whole sync run's deadline and byte allowance, shared by every request of the run."""

    def __init__(
        self, *, seconds: float, max_bytes: int, clock: Callable[[], float] = time.monotonic
    ):
        self.clock, self.seconds, self.max_bytes = clock, seconds, max_bytes
        self.ends, self.spent = clock() + seconds, 0
        # The harvest's prefetch thread fetches pages while the writer downloads files: both spend.
        self._lock = threading.Lock()

    def remaining(self) -> float:
        left = self.ends - self.clock()
        if left <= 0:
            raise Refused(
                f"本次同步超过 {self.seconds:.0f} 秒的时限，已停止；下次同步会从保存的位置继续。"
                f"The sync run went over its {self.seconds:.0f} s limit and stopped; "
                "the next run resumes from the saved cursor."
            )
        return left

    def spend(self, count: int) -> None:
        with self._lock:
            self.spent += count
            spent = self.spent
        if spent > self.max_bytes:
            raise Refused(
                f"本次同步下载超过 {self.max_bytes} 字节的上限，已停止。"
                f"The sync run downloaded more than its {self.max_bytes} bytes limit; stopped."
            )


UNLIMITED = RunBudget(seconds=float("inf"), max_bytes=1 << 62)
