"""Log-in throttling on the shared rate-limit store: the broker's Redis, else in-process.

Built on `limits` (what Flask-Limiter uses). Failures are counted per account and per client address
(`request.remote_addr`, which the trusted-proxy set-up makes the real client's). An account's limits
are tiered, so each lock lasts longer than the last (a minute, a quarter of an hour, two hours),
and every one expires. While an account is locked, an address that has not failed for it may still
try, and a success clears the lock: an attacker slows the guessing but cannot lock the owner out.
"""

from __future__ import annotations

import hashlib
from contextlib import contextmanager

from limits import parse, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from redis.exceptions import RedisError

from hub.errors import ServiceUnavailable, TooManyRequests

NAMESPACE = "eduhub-login"
ACCOUNT_LIMITS = "5/minute;10/15 minutes;20/2 hours"
# A whole school may share one address behind its NAT: far higher than one account's.
ADDRESS_LIMITS = "60/minute;300/hour"
# How long an address counts as having failed for an account: the longest account window.
PAIR_WINDOW = "1000/2 hours"
REDIS_SCHEMES = ("redis://", "rediss://", "redis+sentinel://", "redis+cluster://")
TOO_MANY = (
    "登录失败次数过多，请稍后再试，或在常用的网络上登录。"
    "Too many failed log-ins: wait a few minutes and try again, or log in from your usual network."
)


@contextmanager
def store_errors():
    """An unreachable Redis refuses log-ins (503) rather than let guesses through unthrottled."""
    try:
        yield
    except RedisError as exc:
        raise ServiceUnavailable(
            "登录暂时不可用（限流存储无法连接），请稍后再试。"
            "Log-in is unavailable for a moment (the rate-limit store cannot be reached): "
            "try again shortly."
        ) from exc


def storage_url(broker_url: str) -> str:
    """The broker's Redis when there is one, so every web process shares the counts."""
    return broker_url if broker_url.startswith(REDIS_SCHEMES) else "memory://"


def _account(email: str) -> str:
    # Keys name no email in the store.
    return hashlib.sha256(email.encode("utf-8")).hexdigest()[:32]


class LoginThrottle:
    def __init__(
        self,
        url: str = "memory://",
        *,
        account: str = ACCOUNT_LIMITS,
        address: str = ADDRESS_LIMITS,
    ):
        self.limiter = MovingWindowRateLimiter(storage_from_string(url))
        self.account_limits = parse_many(account)
        self.address_limits = parse_many(address)
        self.pair_limit = parse(PAIR_WINDOW)

    def check(self, email: str, ip: str | None) -> None:
        """TooManyRequests when this address, or this account from a failing address, must wait."""
        with store_errors():
            self._check(email, ip)

    def _check(self, email: str, ip: str | None) -> None:
        if ip and not self._under(self.address_limits, "address", ip):
            raise TooManyRequests(TOO_MANY)
        if not self._under(self.account_limits, "account", _account(email)) and not self._clean(
            email, ip
        ):
            raise TooManyRequests(TOO_MANY)

    def failed(self, email: str, ip: str | None) -> None:
        with store_errors():
            self._failed(email, ip)

    def _failed(self, email: str, ip: str | None) -> None:
        account = _account(email)
        for limit in self.account_limits:
            self.limiter.hit(limit, NAMESPACE, "account", account)
        if ip:
            for limit in self.address_limits:
                self.limiter.hit(limit, NAMESPACE, "address", ip)
            self.limiter.hit(self.pair_limit, NAMESPACE, "pair", account, ip)

    def succeeded(self, email: str, ip: str | None) -> None:
        """The owner got in: their account's lock is lifted (the address's count stays)."""
        with store_errors():
            self._succeeded(email, ip)

    def _succeeded(self, email: str, ip: str | None) -> None:
        account = _account(email)
        for limit in self.account_limits:
            self.limiter.clear(limit, NAMESPACE, "account", account)
        if ip:
            self.limiter.clear(self.pair_limit, NAMESPACE, "pair", account, ip)

    def _under(self, limits, *ids: str) -> bool:
        return all(self.limiter.test(limit, NAMESPACE, *ids) for limit in limits)

    def _clean(self, email: str, ip: str | None) -> bool:
        """True when this address has not failed for this account lately (unknown: not clean)."""
        if not ip:
            return False
        stats = self.limiter.get_window_stats(
            self.pair_limit, NAMESPACE, "pair", _account(email), ip
        )
        return stats.remaining >= self.pair_limit.amount
