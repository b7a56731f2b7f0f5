"""The outbound policy alone: address classes, IPv6 forms, origins, links, pinning, redirects."""

from __future__ import annotations

import io
import ipaddress
import socket
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.base import HttpClient, HttpError, PolicyRefused
from connectors.outbound import (
    OutboundPolicy,
    Refused,
    RunBudget,
    Unresolvable,
    address_class,
    origin_of,
    public_link,
)
from tests.support.outbound import LoopbackPolicy, Peer, self_signed


def resolver(*answers):
    """A fake DNS answering `answers` (one list per call, the last repeating); counts its calls."""
    calls = []

    def resolve(host, port, type=0):
        calls.append(host)
        ips = answers[min(len(calls), len(answers)) - 1]
        return [
            (socket.AF_INET6 if ":" in ip else socket.AF_INET, type, 6, "", (ip, port))
            for ip in ips
        ]

    resolve.calls = calls
    return resolve


@pytest.fixture
def peer():
    server = Peer()
    yield server
    server.close()


@pytest.fixture
def other():
    server = Peer()
    yield server
    server.close()


# -- address classes -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "ip, kind",
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.20", "private"),
        ("fd12:3456::1", "private"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("169.254.169.254", "cloud-metadata"),
        ("fd00:ec2::254", "cloud-metadata"),
        ("100.100.100.200", "cloud-metadata"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("240.0.0.1", "private"),
        ("100.64.0.1", "not public"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "cloud-metadata"),
        ("64:ff9b::a00:1", "private"),
        ("2002:7f00:1::", "loopback"),
    ],
)
def test_addresses_off_the_public_internet_are_named(ip, kind):
    assert address_class(ipaddress.ip_address(ip)) == kind


@pytest.mark.parametrize("ip", ["1.1.1.1", "202.108.22.5", "2400:3200::1", "::ffff:8.8.8.8"])
def test_public_addresses_pass(ip):
    assert address_class(ipaddress.ip_address(ip)) is None


@given(st.ip_addresses(v=4, network="10.0.0.0/8") | st.ip_addresses(v=4, network="127.0.0.0/8"))
def test_no_private_or_loopback_v4_address_passes(ip):
    assert address_class(ip) is not None
    assert address_class(ipaddress.IPv6Address(f"::ffff:{ip}")) is not None


@given(st.ip_addresses())
def test_an_address_passes_only_when_python_calls_it_global(ip):
    if address_class(ip) is None:
        assert ip.is_global and not ip.is_multicast


# -- names, origins and links ----------------------------------------------------------------------
def test_a_name_resolving_to_a_private_address_is_refused_with_what_to_do():
    policy = OutboundPolicy(resolver=resolver(["10.0.0.5"]))
    with pytest.raises(Refused, match="--allow-private-host") as refused:
        policy.check("https://hub.partner.example/api")
    assert "10.0.0.5" in str(refused.value) and "private" in str(refused.value)


def test_one_bad_address_among_good_ones_refuses_the_name():
    policy = OutboundPolicy(resolver=resolver(["1.1.1.1", "127.0.0.1"]))
    with pytest.raises(Refused, match="loopback"):
        policy.check("http://mixed.example/")


def test_the_allowance_covers_the_sources_own_origin_only():
    allowed = OutboundPolicy.for_source("http://hub.lan:8000", allow_private_host=True)
    assert allowed.private == frozenset({"http://hub.lan:8000"})
    policy = OutboundPolicy(private=allowed.private, resolver=resolver(["192.168.1.9"]))
    assert policy.check("http://hub.lan:8000/api/v1/changes").ip == "192.168.1.9"
    with pytest.raises(Refused):
        policy.check("http://hub.lan:9200/")  # same host, another port: another service
    with pytest.raises(Refused):
        policy.check("https://hub.lan:8000/")  # another scheme is another origin


def test_metadata_addresses_are_refused_even_on_an_allowed_origin():
    origin = "http://meta.lan:80"
    policy = OutboundPolicy(
        trusted=frozenset({origin}),
        private=frozenset({origin}),
        resolver=resolver(["169.254.169.254"]),
    )
    with pytest.raises(Refused, match="cloud-metadata") as refused:
        policy.check("http://meta.lan/latest/meta-data/")
    assert "--allow-private-host" not in str(refused.value)


def test_a_name_that_does_not_resolve_is_its_own_refusal():
    def broken(host, port, type=0):
        raise socket.gaierror("no such name")

    with pytest.raises(Unresolvable):
        OutboundPolicy(resolver=broken).check("http://nowhere.invalid/")


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,x",
        "file:///etc/passwd",
        "ftp://a/b",
        "//a/b",
        "http://",
    ],
)
def test_only_http_and_https_urls_are_fetched(url):
    with pytest.raises(Refused, match="http"):
        OutboundPolicy(resolver=resolver(["1.1.1.1"])).check(url)


def test_file_links_stay_on_the_source_or_its_file_hosts():
    policy = OutboundPolicy.for_source(
        "https://hub.example", file_origins=["https://r1-ndr-private.ykt.cbern.com.cn"]
    )
    policy.check_file("https://hub.example/api/v1/resources/1/files/a.pdf")
    policy.check_file("https://HUB.example:443/x")
    policy.check_file("https://r1-ndr-private.ykt.cbern.com.cn/edu_product/a.pdf")
    for url in (
        "https://evil.example/a.pdf",
        "http://hub.example/a.pdf",
        "https://hub.example:8443/",
    ):
        with pytest.raises(Refused, match="outside the source"):
            policy.check_file(url)
    assert policy.may_send_credentials("https://hub.example/x")
    assert not policy.may_send_credentials("https://evil.example/x")


def test_origins_are_normalised():
    assert origin_of("HTTPS://Hub.Example/a?b") == "https://hub.example:443"
    assert origin_of("http://[::1]:8000/x") == "http://[::1]:8000"
    assert origin_of("http://user:pw@hub.example/") == "http://hub.example:80"
    assert origin_of("javascript://hub.example/") == ""


@given(st.text())
def test_public_link_keeps_nothing_but_http_urls(text):
    kept = public_link(text)
    assert kept is None or kept.lower().startswith(("http://", "https://"))


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:x",
        "http://exa mple.com/",
        "java\tscript:alert(1)",
        "/relative/path",
        42,
        None,
    ],
)
def test_public_link_drops_what_a_browser_could_run(link):
    assert public_link(link) is None


# -- the run budget --------------------------------------------------------------------------------
def test_the_run_budget_ends_on_time_and_on_bytes():
    now = [0.0]
    budget = RunBudget(seconds=10, max_bytes=100, clock=lambda: now[0])
    budget.spend(60)
    assert budget.remaining() == 10
    now[0] = 11
    with pytest.raises(Refused, match="10 s limit"):
        budget.remaining()
    with pytest.raises(Refused, match="100 bytes"):
        budget.spend(41)


def test_the_run_budget_counts_every_byte_spent_from_two_threads():
    # The harvest's prefetch thread and the writer both spend from one run's budget.
    budget = RunBudget(seconds=60, max_bytes=1 << 40)

    def spend_many():
        for _ in range(50_000):
            budget.spend(1)

    threads = [threading.Thread(target=spend_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert budget.spent == 200_000


# -- the client: pinning and redirects -------------------------------------------------------------
def test_the_connection_uses_the_checked_address_not_a_second_lookup(peer):
    """DNS rebinding: the name answers loopback (allowed here) once, then an internal address."""
    peer.routes["/a"] = lambda request: (200, {}, b"pinned")
    fake_dns = resolver(["127.0.0.1"], ["10.9.9.9"])
    port = peer.url.rsplit(":", 1)[1]
    client = HttpClient(retries=0, policy=LoopbackPolicy(resolver=fake_dns))
    assert client.get_bytes(f"http://rebind.example:{port}/a") == b"pinned"
    assert fake_dns.calls == ["rebind.example"]
    assert peer.hits("/a")[0]["Host"] == f"rebind.example:{port}"


def test_a_pinned_https_connection_still_checks_the_certificate_for_the_name(tmp_path):
    cert, key = self_signed(tmp_path, "peer.test")
    tls_peer = Peer(tls=(cert, key))
    try:
        tls_peer.routes["/a"] = lambda request: (200, {}, b'{"ok": true}')
        port = tls_peer.url.rsplit(":", 1)[1]
        policy = LoopbackPolicy(resolver=resolver(["127.0.0.1"]))
        client = HttpClient(retries=0, policy=policy, verify=cert)
        assert client.get_json(f"https://peer.test:{port}/a") == {"ok": True}
        with pytest.raises(HttpError, match="SSLError"):
            client.get_json(f"https://impostor.test:{port}/a")  # same address, wrong name
        with pytest.raises(HttpError, match="SSLError"):
            HttpClient(retries=0, policy=policy).get_json(f"https://peer.test:{port}/a")
    finally:
        tls_peer.close()


def test_credentials_are_dropped_when_a_redirect_leaves_the_origin(peer, other):
    peer.routes["/file"] = lambda request: (302, {"Location": other.url + "/landing"}, b"")
    other.routes["/landing"] = lambda request: (200, {}, b"bytes")
    client = HttpClient(
        retries=0, policy=LoopbackPolicy.for_source(peer.url, file_origins=[other.url])
    )
    headers = {"Authorization": "Bearer t0k", "X-ND-AUTH": 'MAC id="x"'}
    assert client.stream_to(peer.url + "/file", io.BytesIO(), headers=headers)[0] == 5
    assert peer.hits("/file")[0]["Authorization"] == "Bearer t0k"
    landed = other.hits("/landing")[0]
    assert "Authorization" not in landed and "X-ND-AUTH" not in landed


def test_credentials_never_go_to_an_untrusted_first_hop(peer):
    peer.routes["/a"] = lambda request: (200, {}, b"{}")
    client = HttpClient(retries=0, policy=LoopbackPolicy.for_source("https://hub.example"))
    client.get_json(peer.url + "/a", headers={"Authorization": "Bearer t0k"})
    assert "Authorization" not in peer.hits("/a")[0]


def test_each_redirect_hop_is_checked_again(peer):
    peer.routes["/a"] = lambda request: (302, {"Location": "http://169.254.169.254/latest/"}, b"")
    client = HttpClient(retries=0, policy=LoopbackPolicy())
    with pytest.raises(PolicyRefused, match="cloud-metadata"):
        client.get_bytes(peer.url + "/a")


def test_a_redirect_to_another_scheme_is_refused(peer):
    peer.routes["/a"] = lambda request: (301, {"Location": "file:///etc/passwd"}, b"")
    with pytest.raises(PolicyRefused, match="http"):
        HttpClient(retries=0, policy=LoopbackPolicy()).get_bytes(peer.url + "/a")


def test_a_redirect_loop_ends(peer):
    peer.routes["/a"] = lambda request: (302, {"Location": "/a"}, b"")
    with pytest.raises(HttpError, match="redirects"):
        HttpClient(retries=0, policy=LoopbackPolicy()).get_bytes(peer.url + "/a")
    assert len(peer.hits("/a")) == 6


def test_the_default_client_refuses_loopback(peer):
    peer.routes["/a"] = lambda request: (200, {}, b"{}")
    with pytest.raises(PolicyRefused, match="loopback"):
        HttpClient(retries=0).get_json(peer.url + "/a")
    assert peer.requests == []


def test_a_declared_length_over_the_cap_is_refused_before_reading(peer):
    peer.routes["/a"] = lambda request: (200, {"Content-Length": str(10**12)}, iter([b"x"]))
    with pytest.raises(HttpError, match="over the limit"):
        HttpClient(retries=0, policy=LoopbackPolicy()).get_bytes(peer.url + "/a")


@given(
    scheme=st.sampled_from(["http", "https", "HTTP", "ftp"]),
    host=st.sampled_from(
        ["hub.example", "HUB.example", "evil.example", "hub.example.evil", "[::1]"]
    ),
    port=st.sampled_from(["", ":80", ":443", ":8443"]),
    path=st.text(alphabet="abc/?#%@:.", max_size=20),
)
def test_a_file_url_passes_exactly_when_its_origin_is_the_sources(scheme, host, port, path):
    url = f"{scheme}://{host}{port}/{path}"
    policy = OutboundPolicy.for_source("https://hub.example/")
    allowed = scheme.lower() == "https" and host.lower() == "hub.example" and port in ("", ":443")
    try:
        policy.check_file(url)
        assert allowed
    except Refused:
        assert not allowed
