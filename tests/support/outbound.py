"""Test helpers for the outbound policy: a client that may reach loopback peers on any port (unit tests only)."""

from __future__ import annotations

from dataclasses import dataclass

from connectors.base import HttpClient
from connectors.outbound import OutboundPolicy, address_class


@dataclass(frozen=True)
class LoopbackPolicy(OutboundPolicy):
    """The real policy, except that loopback addresses are allowed (the unit tests' peers live there)."""

    def _check_address(self, host, ip, origin):
        if address_class(ip) != "loopback":
            super()._check_address(host, ip, origin)


def loopback_client(*, trusted: tuple[str, ...] = (), **options) -> HttpClient:
    """`trusted`: URLs whose origins may receive credentials (a source's own origin, its file hosts)."""
    policy = LoopbackPolicy.for_source(trusted[0], file_origins=trusted[1:]) if trusted else None
    return HttpClient(policy=policy or LoopbackPolicy(), **options)
