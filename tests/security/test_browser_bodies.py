"""Bodies are limited before they are read; who asks is checked before multipart is parsed.

Against gunicorn, with bodies streamed from a generator (issue 9, resources and disks)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.support.browser import gunicorn_site
from tests.support.streaming import (
    BOUNDARY,
    bytes_on_disk,
    chunked,
    endless,
    multipart_head,
    request_head,
    send,
)

GB = 1024**3
FORM_KB = 64
UPLOAD_MB = 2
MULTIPART = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
CHUNKED = {"Transfer-Encoding": "chunked"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("bodies")
    env = {"EDUHUB_MAX_FORM_KB": str(FORM_KB), "EDUHUB_MAX_UPLOAD_MB": str(UPLOAD_MB)}
    with gunicorn_site(root / "var", root / "tmp", env) as (site, pid):
        port = urlsplit(site.base_url).port
        dirs = [root / "tmp", root / "var" / "objects"]
        stored = bytes_on_disk(pid, dirs)  # the published record's file
        yield site, port, lambda: bytes_on_disk(pid, dirs) - stored


def test_an_anonymous_multi_gigabyte_multipart_post_to_login_is_refused_unread(server):
    site, port, watch = server
    head = request_head("POST", "/login", {**MULTIPART, "Content-Length": str(4 * GB)})
    outcome = send(port, head, endless(multipart_head()), watch)
    assert outcome.status == 413
    assert outcome.peak_on_disk < FORM_KB * 1024


def test_a_chunked_body_to_login_is_cut_off_past_the_form_limit(server):
    site, port, watch = server
    head = request_head("POST", "/login", {**MULTIPART, **CHUNKED})
    outcome = send(port, head, chunked(endless(multipart_head())), watch)
    assert outcome.status == 413
    assert outcome.peak_on_disk <= 2 * FORM_KB * 1024


@pytest.mark.parametrize("length", [None, UPLOAD_MB * 1024 * 1024 - 1])
@pytest.mark.parametrize("path", ["/api/v1/resources/{id}/files", "/upload/{id}/files"])
def test_an_anonymous_multipart_upload_is_refused_before_it_is_parsed(server, path, length):
    site, port, watch = server
    framing = CHUNKED if length is None else {"Content-Length": str(length)}
    head = request_head("POST", path.format(id=site.draft_id), {**MULTIPART, **framing})
    body = endless(multipart_head())
    outcome = send(port, head, chunked(body) if length is None else body, watch)
    # 401, not 413: the body was never parsed, so its size never came up.
    assert outcome.status == 401
    assert outcome.peak_on_disk < 64 * 1024


def test_a_signed_in_user_who_may_not_edit_is_refused_before_parsing(server):
    site, port, watch = server
    bearer = {"Authorization": f"Bearer {site.world.tokens['t']}"}
    path = f"/api/v1/resources/{site.draft_id}/files"
    head = request_head("POST", path, {**MULTIPART, **CHUNKED, **bearer})
    outcome = send(port, head, chunked(endless(multipart_head())), watch)
    assert outcome.status in (403, 404)
    assert outcome.peak_on_disk < 64 * 1024


@pytest.mark.parametrize("method,path", [("PUT", "files/big.bin"), ("POST", "files")])
def test_a_contributors_chunked_upload_stops_at_the_upload_limit(server, method, path):
    site, port, watch = server
    bearer = {"Authorization": f"Bearer {site.world.tokens['c']}"}
    headers = {**CHUNKED, **bearer, **(MULTIPART if method == "POST" else {})}
    head = request_head(method, f"/api/v1/resources/{site.draft_id}/{path}", headers)
    first = multipart_head() if method == "POST" else b""
    outcome = send(port, head, chunked(endless(first)), watch)
    assert outcome.status == 413
    assert outcome.peak_on_disk <= (UPLOAD_MB + 1) * 1024 * 1024
    assert watch() == 0  # the part that arrived is not left behind
