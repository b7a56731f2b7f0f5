"""Log-in throttling: shared through Redis, by account and address, no lasting lock-out."""

from __future__ import annotations

import socket
import time
import uuid

import pytest

from hub.errors import ServiceUnavailable, TooManyRequests, Unauthenticated
from hub.security.throttle import LoginThrottle, storage_url
from hub.security.throttle import _account as account_key
from tests.factories import PASSWORD, make_user
from tests.support import need

ATTACKER, OWNER = "203.0.113.66", "198.51.100.7"


@pytest.fixture(scope="module")
def redis_url():
    from tests.support import redis

    try:
        return redis.server_url()
    except redis.Unavailable as exc:
        need("Redis", str(exc))


@pytest.fixture(params=["memory", "redis"])
def store(request):
    """The throttle's store: in-process (embedded default) or the broker's Redis."""
    if request.param == "memory":
        return "memory://"
    return request.getfixturevalue("redis_url")


@pytest.fixture
def email():
    return f"li-{uuid.uuid4().hex[:8]}@xq1.cn"  # fresh keys: the Redis is shared across tests


def fail_until_locked(throttle, email, ip):
    for _ in range(throttle.account_limits[0].amount):
        throttle.check(email, ip)
        throttle.failed(email, ip)


def test_an_attacker_cannot_lock_the_owner_out(store, email):
    throttle = LoginThrottle(store)
    fail_until_locked(throttle, email, ATTACKER)
    with pytest.raises(TooManyRequests):
        throttle.check(email, ATTACKER)
    throttle.check(email, OWNER)  # an address that has not failed may still try
    throttle.succeeded(email, OWNER)
    throttle.check(email, OWNER)


def test_the_owner_who_failed_waits_too(store, email):
    throttle = LoginThrottle(store)
    fail_until_locked(throttle, email, OWNER)
    with pytest.raises(TooManyRequests):
        throttle.check(email, OWNER)


def test_every_lock_expires(store, email):
    throttle = LoginThrottle(store)
    for _ in range(50):
        throttle.failed(email, ATTACKER)
    limiter = throttle.limiter
    resets = [
        limiter.get_window_stats(limit, "eduhub-login", "account", account_key(email)).reset_time
        for limit in throttle.account_limits
    ]
    longest = max(limit.get_expiry() for limit in throttle.account_limits)
    assert max(resets) <= time.time() + longest + 1


def test_failures_from_one_address_are_limited_across_accounts(store):
    throttle = LoginThrottle(store, address="3/minute")
    ip = f"192.0.2.{uuid.uuid4().int % 250}"
    for n in range(3):
        throttle.failed(f"guess{n}-{uuid.uuid4().hex[:6]}@xq1.cn", ip)
    with pytest.raises(TooManyRequests):
        throttle.check("anyone@xq1.cn", ip)
    throttle.check("anyone@xq1.cn", "192.0.2.251")


def test_web_processes_share_counts_through_redis(redis_url, email):
    """Two processes' throttles (two instances) on one Redis see the same failures."""
    first, second = LoginThrottle(redis_url), LoginThrottle(redis_url)
    fail_until_locked(first, email, ATTACKER)
    with pytest.raises(TooManyRequests):
        second.check(email, ATTACKER)


def test_the_store_follows_the_broker():
    assert storage_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    assert storage_url("filesystem:///var/broker").startswith("memory://")


@pytest.fixture
def database_url(tmp_path):
    return f"sqlite:///{tmp_path / 'hub.db'}"


def test_through_the_api_by_client_address(client, hub):
    make_user(hub, "li@xq1.cn")
    wrong = {"email": "li@xq1.cn", "password": "not the password"}
    right = {"email": "li@xq1.cn", "password": PASSWORD}
    attacker = {"REMOTE_ADDR": ATTACKER}
    for _ in range(hub.accounts.throttle.account_limits[0].amount):
        assert client.post("/api/v1/tokens", json=wrong, environ_base=attacker).status_code == 401
    assert client.post("/api/v1/tokens", json=right, environ_base=attacker).status_code == 429
    owner = {"REMOTE_ADDR": OWNER}
    assert client.post("/api/v1/tokens", json=right, environ_base=owner).status_code == 201
    assert client.post("/api/v1/tokens", json=right, environ_base=owner).status_code == 201


def test_the_service_throttles_a_caller_with_no_address(hub):
    make_user(hub, "li@xq1.cn")
    for _ in range(hub.accounts.throttle.account_limits[0].amount):
        with pytest.raises(Unauthenticated):
            hub.accounts.authenticate_password("li@xq1.cn", "wrong password")
    with pytest.raises(TooManyRequests):
        hub.accounts.authenticate_password("li@xq1.cn", PASSWORD)


def test_an_unreachable_redis_refuses_log_ins_instead_of_skipping_the_throttle(email):
    throttle = LoginThrottle(f"redis://127.0.0.1:{_closed_port()}/0")
    with pytest.raises(ServiceUnavailable):
        throttle.check(email, ATTACKER)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends: nothing listens there
