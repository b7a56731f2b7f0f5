"""A requests transport that connects to the address the policy checked: DNS cannot change it later.

The TCP connection goes to the pinned IP; the Host header, SNI and certificate check use the name.
One adapter per hop: nothing is pooled across hops, so a redirect never reuses a connection.
"""

from __future__ import annotations

from requests.adapters import HTTPAdapter
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool

from connectors.outbound import Target


class PinnedAdapter(HTTPAdapter):
    def __init__(self, target: Target):
        super().__init__(max_retries=0)
        self.target = target
        self._pool = None

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):
        if self._pool is None:
            self._pool = self._new_pool()
        return self._pool

    def request_url(self, request, proxies):
        return request.path_url  # never a proxy: a proxy would resolve the name itself

    def close(self):
        if self._pool is not None:
            self._pool.close()
        super().close()

    def _new_pool(self):
        target, host = self.target, self.target.host
        if target.origin.startswith("https:"):
            return HTTPSConnectionPool(
                target.ip, target.port, server_hostname=host, assert_hostname=host, maxsize=1
            )
        return HTTPConnectionPool(target.ip, target.port, maxsize=1)


def host_header(target: Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if target.origin.startswith("https:") else 80
    return host if target.port == default else f"{host}:{target.port}"
