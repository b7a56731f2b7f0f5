"""HTTP access to the national platform: interchangeable catalogue hosts, file hosts, and the
X-ND-AUTH MAC header."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import string
import time
from urllib.parse import urlsplit

from connectors.base import ConnectorError, HttpClient, HttpError

CATALOGUE_HOSTS = (
    "https://s-file-1.ykt.cbern.com.cn",
    "https://s-file-2.ykt.cbern.com.cn",
    "https://s-file-3.ykt.cbern.com.cn",
)
FILE_HOSTS = (
    "https://r1-ndr-private.ykt.cbern.com.cn",
    "https://r2-ndr-private.ykt.cbern.com.cn",
    "https://r3-ndr-private.ykt.cbern.com.cn",
)
REF_PATH = "cs_path:${ref-path}"


class NationalAuthError(ConnectorError):
    """A file host refused our credentials (401/403): the access token or MAC key is wrong or
    expired."""


def mac_header(
    *, access_token: str, mac_key: str, method: str, url: str, nonce: str | None = None
) -> str:
    """X-ND-AUTH: MAC id="TOKEN",nonce="MILLIS:8CHARS",
    mac="BASE64(HMAC-SHA256(key, nonce\\nMETHOD\\nPATH?Q\\nHOST\\n))"."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    nonce = (
        nonce
        or f"{int(time.time() * 1000)}:"
        f"{''.join(secrets.choice(string.ascii_letters + string.digits) for _ in range(8))}"
    )
    message = f"{nonce}\n{method.upper()}\n{path}\n{parts.netloc}\n"
    digest = hmac.new(mac_key.encode(), message.encode(), hashlib.sha256).digest()
    return f'MAC id="{access_token}",nonce="{nonce}",mac="{base64.b64encode(digest).decode()}"'


class NationalClient:
    """Catalogue JSON from whichever catalogue host answers; file URLs and their auth headers."""

    def __init__(self, http: HttpClient, options: dict | None = None):
        options = options or {}
        self.http = http
        self.catalogue_hosts = tuple(
            h.rstrip("/") for h in options.get("catalogue_hosts") or CATALOGUE_HOSTS
        )
        self.file_hosts = tuple(h.rstrip("/") for h in options.get("file_hosts") or FILE_HOSTS)
        self.access_token = options.get("access_token")
        self.mac_key = options.get("mac_key")

    def get_json(self, path: str):
        """GET a catalogue path from the first host that answers; a 404 is final (the hosts are
        mirrors)."""
        path = path if path.startswith("/") else "/" + path
        last: HttpError | None = None
        for host in self.catalogue_hosts:
            try:
                return self.http.get_json(host + path)
            except HttpError as exc:
                if exc.status == 404:
                    raise
                last = exc
        raise last or ConnectorError(f"no catalogue host configured for {path}")

    def file_url(self, storage: str, index: int = 0) -> str:
        """`cs_path:${ref-path}/edu_product/...` -> a URL on a configured file host."""
        if storage.startswith(REF_PATH):
            return self.file_hosts[index % len(self.file_hosts)] + storage[len(REF_PATH) :]
        return storage

    def auth_headers(self, url: str, method: str = "GET") -> dict[str, str]:
        if not (self.access_token and self.mac_key):
            return {}
        return {
            "X-ND-AUTH": mac_header(
                access_token=self.access_token, mac_key=self.mac_key, method=method, url=url
            )
        }

    def download(self, url: str, sink, *, max_bytes: int | None = None) -> tuple[int, str]:
        """Stream one file with the MAC header; a 401/403 says what to fix."""
        try:
            return self.http.stream_to(
                url, sink, headers=self.auth_headers(url), max_bytes=max_bytes
            )
        except HttpError as exc:
            if exc.status in (401, 403):
                raise NationalAuthError(
                    f"{url}: HTTP {exc.status}. "
                    "国家平台拒绝了文件下载凭据，请检查 access_token 与 mac_key 是否有效。"
                    "The platform refused the file credentials; check access_token and mac_key."
                ) from exc
            raise
