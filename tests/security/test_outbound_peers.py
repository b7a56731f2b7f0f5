"""A hostile peer hub and a stand-in internal service on loopback, against the API and syncs."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import time

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from hub.cli import main
from hub.db.models import Resource
from hub.security.principal import SYSTEM
from hub.services.bulk import import_jsonl
from tests.factories import make_org
from tests.resource_factories import PDF_BYTES, valid_record
from tests.support.fake_source import record
from tests.support.outbound import Peer, admin_headers, failures, json_answer, sync
from tests.unit.connectors.test_oaipmh import page as oai_page
from tests.unit.connectors.test_oaipmh import record as oai_record

SECRET = b"INTERNAL-ONLY: db password is hunter2"
TOKEN = "tok-peer-SECRET-4242"
FEED = "/api/v1/changes"


@pytest.fixture
def peer():
    server = Peer()
    yield server
    server.close()


@pytest.fixture
def internal():
    """A service only the hub's network can reach; no peer may make the hub fetch from it."""
    server = Peer()
    server.routes["/secret"] = lambda request: (200, {}, SECRET)
    yield server
    server.close()


@pytest.fixture
def admin(hub):
    return admin_headers(hub)


def serve_feed(peer: Peer, *changes) -> None:
    """The peer's changes feed: one page with `changes`, then nothing new."""

    def answer(request):
        if "since=1" in request.target:
            return json_answer({"changes": [], "next": "1"})
        return json_answer({"changes": list(changes), "next": "1"})

    peer.routes[FEED] = answer


def change(external_id: str, files=(), links=None) -> dict:
    resource = {"id": external_id, **record(1), "files": list(files), "links": links or {}}
    return {"seq": 1, "op": "upsert", "resource": resource}


def add_source(client, admin, url, *, name="peer", kind="hub", **fields):
    body = {"name": name, "kind": kind, "url": url, "allow_private_host": True, **fields}
    response = client.post("/api/v1/sources", headers=admin, json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def harvested(hub, external_id):
    with hub.uow() as uow:
        found = uow.session.scalar(select(Resource).where(Resource.external_id == external_id))
        return None if found is None else (found.id, found.origin_url)


def pdf_file(name="课件.pdf", body=PDF_BYTES, mimetype="application/pdf") -> dict:
    sha = hashlib.sha256(body).hexdigest()
    return {"name": name, "size": len(body), "sha256": sha, "mimetype": mimetype}


# -- file links and redirects ----------------------------------------------------------------------
def test_an_absolute_file_link_to_another_host_is_never_fetched(hub, client, admin, peer, internal):
    serve_feed(
        peer,
        change(
            "r1",
            [pdf_file("secret.txt", SECRET)],
            {"files": {"secret.txt": internal.url + "/secret"}},
        ),
    )
    source = add_source(client, admin, peer.url, fetch_files=True, options={"token": TOKEN})
    run = sync(hub, client, admin, source)
    assert run["status"] == "partial"
    assert internal.requests == []  # neither the file nor the peer's token reached the other host
    (failure,) = failures(client, admin, run)
    assert "outside the source" in failure["reason"]
    assert harvested(hub, "r1") is None


def test_a_redirect_to_the_internal_service_is_refused_before_connecting(
    hub, client, admin, peer, internal
):
    serve_feed(peer, change("r1", [pdf_file("a.pdf", SECRET)], {"files": {"a.pdf": "/file"}}))
    peer.routes["/file"] = lambda request: (302, {"Location": internal.url + "/secret"}, b"")
    source = add_source(client, admin, peer.url, fetch_files=True, options={"retries": 0})
    run = sync(hub, client, admin, source)
    assert internal.requests == []
    assert len(peer.hits("/file")) == 1
    (failure,) = failures(client, admin, run)
    assert "refused" in failure["reason"] and "loopback" in failure["reason"]
    assert SECRET.decode() not in json.dumps([run, failure], ensure_ascii=False)


def test_the_peers_token_goes_to_its_own_origin_only(hub, client, admin, peer, internal):
    peer.routes["/file"] = lambda request: (200, {}, PDF_BYTES)
    serve_feed(
        peer,
        change("r1", [pdf_file()], {"files": {"课件.pdf": "/file"}}),
        change("r2", [pdf_file("b.pdf")], {"files": {"b.pdf": internal.url + "/secret"}}),
    )
    source = add_source(client, admin, peer.url, fetch_files=True, options={"token": TOKEN})
    sync(hub, client, admin, source)
    assert peer.hits(FEED)[0]["Authorization"] == f"Bearer {TOKEN}"
    assert peer.hits("/file")[0]["Authorization"] == f"Bearer {TOKEN}"
    assert internal.requests == []


# -- claimed blobs ---------------------------------------------------------------------------------
def org_only_file(hub) -> bytes:
    """A draft, organisation-only record of this hub with a file nobody outside may read."""
    make_org(hub, code="nx-private")
    body = PDF_BYTES + b"% exam answers, org only\n"
    draft = hub.resources.create(SYSTEM, valid_record(org="nx-private", visibility="org"))
    hub.files.upload(
        SYSTEM, draft["id"], "答案.pdf", io.BytesIO(body), content_length=len(body), digest=None
    )
    return body


def test_a_claimed_hash_of_an_org_only_blob_gets_the_peer_nothing(hub, client, admin, peer):
    body = org_only_file(hub)
    peer.routes["/file"] = lambda request: (404, {}, b"")  # the peer does not have the bytes
    serve_feed(peer, change("r1", [pdf_file("stolen.pdf", body)], {"files": {}}))
    source = add_source(client, admin, peer.url, fetch_files=True, options={"retries": 0})
    run = sync(hub, client, admin, source)
    assert run["status"] == "partial" and run["counts"]["failed"] == 1
    assert len(peer.hits("/api/v1/resources/r1/files/stolen.pdf")) == 1  # asked for the bytes
    assert harvested(hub, "r1") is None
    listing = client.get("/api/v1/resources?source=peer").get_json()
    assert listing["total"] == 0


def test_bytes_are_reused_only_from_the_source_that_delivered_them(hub, client, admin, peer):
    body = PDF_BYTES + b"% shared\n"
    peer.routes["/file"] = lambda request: (200, {}, body)
    claimed = pdf_file("..\\..\\evil\u202etxt.pdf", body, mimetype="text/html")
    serve_feed(peer, change("r1", [claimed], {"files": {claimed["name"]: "/file"}}))
    source = add_source(client, admin, peer.url, fetch_files=True)
    assert sync(hub, client, admin, source)["status"] == "succeeded"
    assert len(peer.hits("/file")) == 1

    serve_feed(
        peer,
        change("r1", [claimed], {"files": {claimed["name"]: "/file"}}),
        change("r2", [claimed], {"files": {claimed["name"]: "/file"}}),
    )
    assert sync(hub, client, admin, source, full=True)["status"] == "succeeded"
    assert len(peer.hits("/file")) == 1  # the same source named the same bytes: nothing refetched
    resource_id, _ = harvested(hub, "r2")
    (stored,) = client.get(f"/api/v1/resources/{resource_id}").get_json()["files"]
    assert stored["mimetype"] == "application/pdf"  # sniffed here, not the peer's text/html
    assert stored["name"] == "eviltxt.pdf"  # no path, no right-to-left override


# -- links from outside ----------------------------------------------------------------------------
@pytest.mark.parametrize("fetch_files", [False, True], ids=["batch-writer", "orm"])
def test_a_javascript_origin_url_is_never_stored_shown_or_exported(
    hub, client, admin, peer, fetch_files
):
    serve_feed(peer, change("r1", links={"html": "javascript:alert(document.cookie)"}))
    source = add_source(client, admin, peer.url, fetch_files=fetch_files)
    assert sync(hub, client, admin, source)["status"] == "succeeded"
    resource_id, origin_url = harvested(hub, "r1")
    assert origin_url is None
    shown = client.get(f"/api/v1/resources/{resource_id}")
    assert "javascript:" not in shown.get_data(as_text=True)
    exported = client.get("/oai?verb=ListRecords&metadataPrefix=oai_dc")
    assert "javascript:" not in exported.get_data(as_text=True)
    page = client.get(f"/r/{resource_id}")
    assert "javascript:" not in page.get_data(as_text=True)


# -- endless, slow and huge answers ----------------------------------------------------------------
def test_an_endless_oai_list_stops_at_the_page_limit_and_keeps_what_it_read(
    hub, client, admin, peer
):
    counter = itertools.count(1)

    def endless(request):
        n = next(counter)
        return 200, {"Content-Type": "text/xml"}, oai_page(oai_record(n), token=f"t{n}").encode()

    peer.routes["/oai"] = endless
    source = add_source(client, admin, peer.url + "/oai", kind="oaipmh", options={"max_pages": 5})
    run = sync(hub, client, admin, source)
    assert run["status"] == "failed" and "does not end" in run["errors"][0]["message"]
    assert run["counts"]["created"] == 5
    assert len(peer.hits("/oai")) == 5


def drip(first: bytes = b'{"changes": ['):
    yield first
    while True:  # one byte at a time, each well inside the socket timeout
        time.sleep(0.05)
        yield b" "


def test_a_slow_drip_hits_the_response_deadline(hub, client, admin, peer):
    peer.routes[FEED] = lambda request: (200, {}, drip())
    options = {"retries": 0, "timeout": 5, "response_seconds": 1}
    run = sync(hub, client, admin, add_source(client, admin, peer.url, options=options))
    assert run["status"] == "failed"
    assert "took longer than 1 s" in run["errors"][0]["message"]


def test_a_slow_drip_hits_the_whole_runs_deadline(hub, client, admin, peer):
    peer.routes[FEED] = lambda request: (200, {}, drip())
    options = {"retries": 0, "timeout": 5, "run_seconds": 1}
    run = sync(hub, client, admin, add_source(client, admin, peer.url, options=options))
    assert run["status"] == "failed" and "1 s limit" in run["errors"][0]["message"]


def test_a_huge_json_page_is_refused_before_it_is_parsed(hub, client, admin, peer):
    def flood(request):
        block = b" " * (1024 * 1024)
        return 200, {}, itertools.chain([b'{"changes": ['], itertools.repeat(block, 40))

    peer.routes[FEED] = flood
    run = sync(hub, client, admin, add_source(client, admin, peer.url, options={"retries": 0}))
    assert run["status"] == "failed"
    assert f"more than {32 * 1024 * 1024} bytes" in run["errors"][0]["message"]


# -- secrets and what errors say -------------------------------------------------------------------
def test_the_token_is_not_kept_in_failures_errors_or_logs(hub, client, admin, peer, caplog):
    bad = {**pdf_file(), "sha256": "0" * 64}  # the checksum lies: the record fails
    peer.routes["/file"] = lambda request: (200, {}, PDF_BYTES)
    serve_feed(peer, change("r1", [bad], {"files": {bad["name"]: "/file"}}))
    options = {"token": TOKEN, "retries": 0}
    source = add_source(client, admin, peer.url, fetch_files=True, options=options)
    run = sync(hub, client, admin, source)
    (failure,) = failures(client, admin, run)
    assert "SHA-256" in failure["reason"]
    shown = json.dumps([run, failure, client.get("/api/v1/sources", headers=admin).get_json()])
    assert TOKEN not in shown and TOKEN not in caplog.text
    assert peer.hits("/file")[0]["Authorization"] == f"Bearer {TOKEN}"  # it was used, not kept


def test_an_error_does_not_echo_the_body_of_the_answer(hub, client, admin, peer):
    peer.routes[FEED] = lambda request: (200, {}, SECRET)
    run = sync(hub, client, admin, add_source(client, admin, peer.url, options={"retries": 0}))
    assert run["status"] == "failed" and "not JSON" in run["errors"][0]["message"]
    assert "hunter2" not in json.dumps(run)


# -- registering sources ---------------------------------------------------------------------------
def test_a_loopback_source_is_refused_without_the_private_host_allowance(hub, client, admin, peer):
    body = {"name": "lan", "kind": "hub", "url": peer.url}
    refused = client.post("/api/v1/sources", headers=admin, json=body)
    assert refused.status_code == 422
    message = json.dumps(refused.get_json(), ensure_ascii=False)
    assert "loopback" in message and "--allow-private-host" in message
    assert peer.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/",
        "http://0.0.0.0:8000/",
        "file:///etc/passwd",
        "gopher://127.0.0.1/",
    ],
)
def test_metadata_and_odd_schemes_are_refused_even_with_the_allowance(hub, client, admin, url):
    body = {"name": "meta", "kind": "hub", "url": url, "allow_private_host": True}
    assert client.post("/api/v1/sources", headers=admin, json=body).status_code == 422


def test_a_source_row_that_skipped_validation_is_still_refused_at_sync(hub, client, admin, peer):
    source = add_source(client, admin, peer.url)
    with hub.uow() as uow:  # e.g. a row from before the policy existed
        uow.session.execute(
            Resource.__table__.metadata.tables["sources"].update().values(allow_private_host=False)
        )
        uow.commit()
    run = sync(hub, client, admin, source)
    assert run["status"] == "failed" and "allow-private-host" in run["errors"][0]["message"]
    assert peer.requests == []


def test_changing_a_source_checks_its_address_again(hub, client, admin, peer):
    source = add_source(client, admin, peer.url)
    moved = client.patch(
        f"/api/v1/sources/{source}",
        headers=admin,
        json={"url": "http://169.254.169.254/latest/"},
    )
    assert moved.status_code == 422 and "cloud-metadata" in moved.get_data(as_text=True)
    withdrawn = client.patch(
        f"/api/v1/sources/{source}", headers=admin, json={"allow_private_host": False}
    )
    assert withdrawn.status_code == 422 and "loopback" in withdrawn.get_data(as_text=True)
    kept = client.get(f"/api/v1/sources/{source}", headers=admin).get_json()
    assert kept["url"] == peer.url and kept["allow_private_host"] is True


def test_the_cli_refuses_a_loopback_source_unless_allowed(tmp_path, monkeypatch, peer):
    for name in ("EDUHUB_DATABASE_URL", "EDUHUB_STORAGE_URL", "EDUHUB_SEARCH_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EDUHUB_DATA_DIR", str(tmp_path / "cli"))
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    add = ["sources", "add", "--name", "lan", "--kind", "hub", "--url", peer.url]
    refused = runner.invoke(main, add)
    assert refused.exit_code != 0 and "--allow-private-host" in refused.output
    allowed = runner.invoke(main, [*add, "--allow-private-host", "--token", TOKEN])
    assert allowed.exit_code == 0, allowed.output
    changed = runner.invoke(main, ["sources", "set", "lan", "--no-allow-private-host"])
    assert changed.exit_code != 0 and "loopback" in changed.output


def test_a_file_whose_size_lies_is_not_stored(hub, client, admin, peer):
    peer.routes["/file"] = lambda request: (200, {}, PDF_BYTES + b"% more than announced\n")
    claimed = {**pdf_file(), "sha256": None}  # no checksum to catch it: the size must
    serve_feed(peer, change("r1", [claimed], {"files": {claimed["name"]: "/file"}}))
    run = sync(hub, client, admin, add_source(client, admin, peer.url, fetch_files=True))
    (failure,) = failures(client, admin, run)
    assert "where the source announced" in failure["reason"]
    assert harvested(hub, "r1") is None


def test_a_bulk_import_keeps_no_javascript_origin_url(hub, tmp_path):
    make_org(hub, code="nx-import")
    lines = [
        valid_record(org="nx-import", title="甲", origin_url="javascript:alert(1)"),
        valid_record(org="nx-import", title="乙", origin_url="https://school.example/r/2"),
    ]
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in lines), encoding="utf-8")
    import_jsonl(hub, path)
    with hub.uow() as uow:
        kept = dict(uow.session.execute(select(Resource.title, Resource.origin_url)).all())
    assert kept == {"甲": None, "乙": "https://school.example/r/2"}


def test_a_file_that_drips_hits_the_file_deadline(hub, client, admin, peer):
    peer.routes["/file"] = lambda request: (200, {}, drip(PDF_BYTES[:10]))
    serve_feed(peer, change("r1", [pdf_file()], {"files": {"课件.pdf": "/file"}}))
    options = {"retries": 0, "timeout": 5, "file_seconds": 1}
    source = add_source(client, admin, peer.url, fetch_files=True, options=options)
    (failure,) = failures(client, admin, sync(hub, client, admin, source))
    assert "took longer than 1 s" in failure["reason"]


def test_an_endless_changes_feed_stops_at_the_page_limit(hub, client, admin, peer):
    counter = itertools.count(2)
    peer.routes[FEED] = lambda request: json_answer({"changes": [], "next": str(next(counter))})
    source = add_source(client, admin, peer.url, options={"max_pages": 7})
    run = sync(hub, client, admin, source)
    assert (
        run["status"] == "failed" and "does not end within 7 pages" in run["errors"][0]["message"]
    )
    assert len(peer.hits(FEED)) == 7
