"""Outbound policy helpers: a loopback-permitting policy (unit tests only) and fake peers."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from connectors.base import HttpClient
from connectors.outbound import OutboundPolicy, address_class
from tests.factories import auth_header, make_token, make_user
from tests.support.http_server import LoopbackServer


@dataclass(frozen=True)
class LoopbackPolicy(OutboundPolicy):
    """The real policy, but loopback addresses are allowed (unit tests' peers live there)."""

    def _check_address(self, host, ip, origin):
        if address_class(ip) != "loopback":
            super()._check_address(host, ip, origin)


def loopback_client(*, trusted: tuple[str, ...] = (), **options) -> HttpClient:
    """`trusted`: URLs whose origins may receive credentials (a source's origin, file hosts)."""
    policy = LoopbackPolicy.for_source(trusted[0], file_origins=trusted[1:]) if trusted else None
    return HttpClient(policy=policy or LoopbackPolicy(), **options)


class Peer(LoopbackServer):
    """A scriptable loopback peer, started at once: `routes[path] = fn(request) -> (status,
    headers, body)` with the shared server's `Request` and bodies (an iterator of bytes is sent as
    it comes: drip, flood). `requests` keeps every request so a test can tell what reached it."""

    def __init__(self, tls: tuple[str, str] | None = None):
        super().__init__(tls=tls)
        self.start()

    def hits(self, path: str) -> list[dict]:
        """The headers of every request made for `path`."""
        return [dict(request.headers) for request in self.requests if request.path == path]

    def close(self):
        self.stop()


def json_answer(data) -> tuple[int, dict, bytes]:
    return 200, {"Content-Type": "application/json"}, json.dumps(data).encode()


def self_signed(directory, name: str) -> tuple[str, str]:
    """(certificate, key) files of a one-day self-signed certificate for `name`."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / f"{name}.crt", directory / f"{name}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)


def admin_headers(hub) -> dict:
    """Bearer headers of a new administrator; the hub runs no worker, so tests run syncs inline."""
    make_user(hub, email="ops@example.cn", admin=True)
    return auth_header(make_token(hub, "ops@example.cn"))


def sync(hub, client, admin, source_id, full=False) -> dict:
    started = client.post(f"/api/v1/sources/{source_id}/sync", headers=admin, json={"full": full})
    assert started.status_code == 202, started.get_json()
    hub.sync.run(started.get_json()["run_id"])
    return client.get(f"/api/v1/sync-runs/{started.get_json()['run_id']}", headers=admin).get_json()


def failures(client, admin, run) -> list[dict]:
    answer = client.get(f"/api/v1/sync-runs/{run['id']}/failures", headers=admin)
    return answer.get_json()["failures"]
