"""/admin/bundles: an operator uploads another hub's bundle, a worker imports it, the page reports.

Refused before the body is read for anyone but an admin; a hostile bundle changes nothing."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from sqlalchemy import func, select

from hub.db.models import AuditEntry, Resource, User
from tests.factories import PASSWORD, make_org, make_user
from tests.support.bundles import rewrite

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def people(hub):
    make_org(hub, code="nx-school", name="学校")
    make_user(hub, email="admin@example.cn", admin=True, org=None, role=None)
    make_user(hub, email="t@example.cn", org="nx-school", role="teacher")


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def log_in(client, email: str) -> str:
    token = csrf_from(client.get("/login").get_data(as_text=True))
    client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token, "next": "/"}
    )
    return csrf_from(client.get("/").get_data(as_text=True))


def upload(client, token: str, path) -> object:
    data = {"csrf_token": token, "bundle": (io.BytesIO(path.read_bytes()), path.name)}
    return client.post("/admin/bundles", data=data, content_type="multipart/form-data")


def resources(hub) -> int:
    with hub.db.session() as session:
        return session.scalar(select(func.count()).select_from(Resource))


def work(hub) -> None:
    while hub.outbox.process():
        pass


def test_an_admin_trusts_a_key_uploads_a_bundle_and_reads_the_report(
    client, hub, people, bundle, origin_key
):
    token = log_in(client, "admin@example.cn")
    added = client.post(
        "/admin/bundles/keys",
        data={"csrf_token": token, "key": origin_key, "label": "宁夏教育资源平台"},
    )
    assert added.status_code == 302
    posted = upload(client, token, bundle)
    assert posted.status_code == 302 and "import=" in posted.location
    work(hub)
    page = client.get(posted.location).get_data(as_text=True)
    assert origin_key in page and "宁夏教育资源平台" in page
    (job,) = hub.bundle_imports.recent(hub_admin(hub))
    assert job["status"] == "succeeded" and job["report"]["created"] == 50
    assert f"{job['report']['created']}" in page and resources(hub) == 50

    upload(client, token, bundle)  # the same bundle again: nothing changes
    work(hub)
    again = hub.bundle_imports.recent(hub_admin(hub))[0]["report"]
    assert (again["created"], again["unchanged"]) == (0, 50)


def test_a_bundle_whose_file_was_altered_is_rejected_in_words_and_nothing_is_imported(
    client, hub, people, bundle, origin_key, tmp_path
):
    token = log_in(client, "admin@example.cn")
    client.post("/admin/bundles/keys", data={"csrf_token": token, "key": origin_key})
    first = json.loads(_read(bundle, "manifest.json"))["files"][0]["path"]
    altered = rewrite(
        bundle, tmp_path / "altered.zip", change=lambda n, b: b[:-1] + b"!" if n == first else b
    )
    objects = sorted(hub.storage.iter_keys())
    posted = upload(client, token, altered)
    work(hub)
    page = client.get(posted.location).get_data(as_text=True)
    assert "nothing was imported" in page or "未导入任何内容" in page
    assert "checksum" in page or "SHA-256" in page or "校验" in page
    assert resources(hub) == 0 and sorted(hub.storage.iter_keys()) == objects


def test_an_unknown_signer_is_rejected_until_its_key_is_trusted(client, hub, people, bundle):
    token = log_in(client, "admin@example.cn")
    posted = upload(client, token, bundle)
    work(hub)
    page = client.get(posted.location).get_data(as_text=True)
    assert "do not trust" in page and resources(hub) == 0


def test_a_teacher_cannot_upload_a_bundle(client, hub, people, bundle):
    token = log_in(client, "t@example.cn")
    refused = upload(client, token, bundle)
    assert refused.status_code == 403
    assert client.get("/admin/bundles").status_code == 403
    assert not (hub.config.data_dir / "bundle-imports").exists()


def test_an_anonymous_upload_is_refused_before_its_body_is_read(client, hub, people, bundle):
    refused = upload(client, "", bundle)
    assert refused.status_code == 401
    assert not (hub.config.data_dir / "bundle-imports").exists()


def test_a_garbled_key_is_refused_with_what_to_paste(client, hub, people):
    token = log_in(client, "admin@example.cn")
    refused = client.post("/admin/bundles/keys", data={"csrf_token": token, "key": "not a key"})
    assert refused.status_code == 422
    assert "/api/v1/bundles/key" in refused.get_data(as_text=True)
    assert hub.bundle_imports.trusted_keys() == []


def hub_admin(hub):
    return hub.accounts.principal_for_user_id(_admin_id(hub))


def _admin_id(hub) -> int:
    with hub.db.session() as session:
        return session.scalar(select(User.id).where(User.email == "admin@example.cn"))


def _read(path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def test_an_upload_over_the_limit_is_refused_and_not_kept(client, hub, people, tmp_path):
    token = log_in(client, "admin@example.cn")
    hub.config.max_upload_mb = 1
    big = tmp_path / "big.zip"
    big.write_bytes(b"PK" + b"\0" * (2 << 20))
    refused = upload(client, token, big)
    assert refused.status_code == 413
    assert "EDUHUB_MAX_UPLOAD_MB" in refused.get_data(as_text=True)
    assert not (hub.config.data_dir / "bundle-imports").exists()


def test_uploads_are_audited_with_who_which_file_and_the_result(
    client, hub, people, bundle, origin_key, tmp_path
):
    token = log_in(client, "admin@example.cn")
    unsigned = rewrite(bundle, tmp_path / "unsigned.zip", drop=["manifest.sig"])
    upload(client, token, unsigned)
    client.post("/admin/bundles/keys", data={"csrf_token": token, "key": origin_key, "label": "NX"})
    upload(client, token, bundle)
    work(hub)
    with hub.db.session() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action.like("bundle.%")).order_by(AuditEntry.id)
        ).all()
        seen = [(e.action, e.actor, e.actor_id, e.details) for e in entries]
    admin_id = _admin_id(hub)
    uploads = [d for a, who, uid, d in seen if a == "bundle.upload"]
    assert [d["file"] for d in uploads] == ["unsigned.zip", "bundle.zip"]
    ours = [(who, uid) for a, who, uid, _d in seen if a != "bundle.import"]  # the worker's own
    assert set(ours) == {("admin@example.cn", admin_id)} and len(ours) == 5
    results = {d["file"]: d for a, _w, _u, d in seen if a == "bundle.upload.finish"}
    assert results["bundle.zip"]["result"] == "succeeded" and results["bundle.zip"]["created"] == 50
    assert results["unsigned.zip"]["result"] == "rejected"
    assert (
        "--allow-unsigned" in results["unsigned.zip"]["message"]
        or "签名" in (results["unsigned.zip"]["message"])
    )
    assert ("bundle.trust_key", "admin@example.cn") in {(a, w) for a, w, _u, _d in seen}
    audit_page = client.get("/admin/audit?action=bundle.*").get_data(as_text=True)
    assert "bundle.upload.finish" in audit_page and "unsigned.zip" in audit_page
