"""The national client: the X-ND-AUTH MAC header, interchangeable catalogue hosts, file URLs and
refused files."""

from __future__ import annotations

import io

import pytest

from connectors.base import HttpError
from connectors.national.client import NationalAuthError, NationalClient, mac_header
from tests.support.outbound import loopback_client


def test_mac_header_matches_a_hand_computed_value():
    # { printf '1700000000000:abcdefgh\nGET\n/edu_product/esp/assets/x.pkg/pdf.pdf?a=1\n'
    #   printf 'r1-ndr-private.ykt.cbern.com.cn\n'; } \
    #   | openssl dgst -sha256 -hmac secret-mac-key -binary | base64
    header = mac_header(
        access_token="TOKEN-1",
        mac_key="secret-mac-key",
        method="get",
        nonce="1700000000000:abcdefgh",
        url="https://r1-ndr-private.ykt.cbern.com.cn/edu_product/esp/assets/x.pkg/pdf.pdf?a=1",
    )
    assert header == (
        'MAC id="TOKEN-1",nonce="1700000000000:abcdefgh",'
        'mac="uhPi0RIp/7QRajgB/+34+gPwcsr+FbV0c8hJq6YEFyM="'
    )


def test_nonce_is_milliseconds_and_eight_characters():
    header = mac_header(access_token="t", mac_key="k", method="GET", url="https://h/p")
    nonce = header.split('nonce="')[1].split('"')[0]
    millis, chars = nonce.split(":")
    assert millis.isdigit() and len(millis) == 13 and len(chars) == 8 and chars.isalnum()


def test_ref_path_points_at_a_configured_file_host():
    client = NationalClient(loopback_client(), {"file_hosts": ["https://files.test/"]})
    assert (
        client.file_url("cs_path:${ref-path}/edu_product/a.pdf")
        == "https://files.test/edu_product/a.pdf"
    )
    assert (
        client.auth_headers("https://files.test/a") == {}
    )  # no credentials: metadata and links only


def test_a_dead_catalogue_host_falls_over_to_the_next(platform):
    client = NationalClient(
        loopback_client(timeout=2, retries=0),
        {"catalogue_hosts": ["http://127.0.0.1:9", platform.url]},
    )
    assert client.get_json("/zxx/ndrs/tags/tch_material_tag.json")["tag_path"] == "tch_material"
    with pytest.raises(HttpError) as missing:
        client.get_json("/zxx/ndrs/tags/none.json")
    assert missing.value.status == 404


def test_a_file_refused_with_401_says_which_credentials_to_fix(platform):
    client = NationalClient(
        loopback_client(timeout=2, retries=0, trusted=(platform.url,)),
        {"file_hosts": [platform.url], "access_token": "t", "mac_key": "k"},
    )
    url = client.file_url("cs_path:${ref-path}/edu_product/esp/a.pdf")
    size, _sha = client.download(url, io.BytesIO())
    assert size == len(b"%PDF-1.4 national")
    assert "X-ND-AUTH" in platform.requests[-1][2]
    platform.file_status = 401
    with pytest.raises(NationalAuthError, match="access_token"):
        client.download(url, io.BytesIO())
