"""/admin/duplicates: suspected duplicates merged into one work (audited, reversible) or kept
apart (remembered)."""

from __future__ import annotations

import io

from hub.db.models import AuditEntry
from hub.security.principal import SYSTEM
from hub.services.indexer import index_resources
from tests.factories import make_org, make_user
from tests.integration.web.test_admin_pages import log_in
from tests.resource_factories import PDF_BYTES, valid_record

TEXT = "认识百分数：结合生活实例理解百分数的意义，会读写百分数，并完成课堂练习与拓展阅读。"


def published(hub, title: str, description: str, body: bytes) -> str:
    draft = hub.resources.create(
        SYSTEM, valid_record(org="nx-dup", title=title, description=description)
    )
    hub.files.upload(SYSTEM, draft["id"], "课件.pdf", io.BytesIO(body), content_length=len(body))
    hub.resources.act(SYSTEM, draft["id"], "submit")
    hub.resources.act(SYSTEM, draft["id"], "publish")
    return draft["id"]


def found(client, q: str) -> list[str]:
    return [h["id"] for h in client.get("/api/v1/resources", query_string={"q": q}).json["hits"]]


def audited(hub) -> list[str]:
    with hub.uow() as uow:
        return [e.action for e in uow.session.query(AuditEntry).order_by(AuditEntry.id)]


def test_merge_keep_apart_and_unmerge_from_the_page(hub, client):
    make_org(hub, code="nx-dup", name="两所学校")
    make_user(hub, email="admin@example.cn", admin=True, org=None, role=None)
    first = published(hub, "认识百分数", TEXT, PDF_BYTES)
    second = published(hub, "认识百分数 ", TEXT.replace("。", "！"), PDF_BYTES + b"% other\n")
    other = published(hub, "认识百分数（第二课时）", TEXT + "第二课时练习。", PDF_BYTES + b"%3\n")
    index_resources(hub.db, hub.index, [first, second, other])
    token = log_in(client, "admin@example.cn")

    page = client.get("/admin/duplicates").text
    assert "合并为同一作品" in page or "Merge into one work" in page
    assert f'data-first="{min(first, second)}" data-second="{max(first, second)}"' in page

    response = client.post(
        "/admin/duplicates/merge", data={"csrf_token": token, "first": first, "second": second}
    )
    assert response.status_code == 302
    index_resources(hub.db, hub.index, [first, second])
    assert sorted(found(client, "百分数")).count(second) == 0
    assert hub.resources.get(SYSTEM, second)["work_id"] == first
    page = client.get("/admin/duplicates").text
    assert f'data-first="{min(first, second)}" data-second="{max(first, second)}"' not in page

    client.post(
        "/admin/duplicates/unmerge", data={"csrf_token": token, "first": first, "second": second}
    )
    index_resources(hub.db, hub.index, [first, second])
    assert second in found(client, "百分数")
    assert hub.resources.get(SYSTEM, second)["work_id"] == second
    assert audited(hub)[-2:] == ["work.merge", "work.unmerge"]
    # Unmerged means different works: the pair is not suggested again.
    assert f'data-second="{max(first, second)}"' not in client.get("/admin/duplicates").text


def test_only_administrators_decide(hub, client):
    make_org(hub, code="nx-dup", name="两所学校")
    make_user(hub, email="t@example.cn", org="nx-dup", role="teacher")
    token = log_in(client, "t@example.cn")
    assert client.get("/admin/duplicates").status_code == 403
    response = client.post(
        "/admin/duplicates/merge", data={"csrf_token": token, "first": "a", "second": "b"}
    )
    assert response.status_code == 403
