"""Outbound policy helpers: a loopback-permitting policy (unit tests only) and fake peers."""

from __future__ import annotations

import datetime
import json
import ssl
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from connectors.base import HttpClient
from connectors.outbound import OutboundPolicy, address_class
from tests.factories import auth_header, make_token, make_user


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


class Peer:
    """A scriptable loopback HTTP server: `routes[path] = fn(request) -> (status, headers, body)`.

    `body`: bytes, or an iterator of bytes sent as it comes without Content-Length (drip, flood).
    Every request is kept in `requests` as (path, headers) so a test can tell what reached it."""

    def __init__(self, tls: tuple[str, str] | None = None):
        self.routes: dict = {}
        self.requests: list[tuple[str, dict]] = []
        peer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self):
                peer.requests.append((self.path, dict(self.headers)))
                route = peer.routes.get(urlsplit(self.path).path)
                status, headers, body = route(self) if route else (404, {}, b"not here")
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if isinstance(body, bytes):
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    for block in [body] if isinstance(body, bytes) else body:
                        self.wfile.write(block)
                        self.wfile.flush()
                except OSError:
                    pass  # the hub hung up on us, as it should

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def hits(self, path: str) -> list[dict]:
        """The headers of every request made for `path`."""
        return [headers for seen, headers in self.requests if urlsplit(seen).path == path]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


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
