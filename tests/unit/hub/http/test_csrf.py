"""Masked CSRF tokens: each render differs, each unmasks to the session secret, junk fails."""

from __future__ import annotations

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from hub.http import csrf


@pytest.fixture(scope="module")
def app():
    app = Flask(__name__)
    app.secret_key = "unit"
    return app


def test_each_render_is_new_and_all_are_valid_until_rotation(app):
    with app.test_request_context("/"):
        tokens = [csrf.masked_token() for _ in range(20)]
        assert len(set(tokens)) == 20 and all(csrf.token_valid(t) for t in tokens)
        csrf.rotate()
        assert not any(csrf.token_valid(t) for t in tokens)


@given(sent=st.text(max_size=200) | st.binary(max_size=90).map(lambda b: b.hex()))
def test_no_made_up_token_passes_and_none_crashes(app, sent):
    with app.test_request_context("/"):
        csrf.masked_token()
        assert not csrf.token_valid(sent)


@pytest.mark.parametrize(
    "headers,expected",
    [
        ({"Sec-Fetch-Site": "same-origin"}, True),
        ({"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"}, False),
        ({"Origin": "http://localhost"}, True),
        ({"Origin": "http://localhost.evil.example"}, False),
        ({"Origin": "https://localhost"}, False),
        ({"Origin": "null"}, False),
        ({}, None),
    ],
)
def test_same_origin_reads_what_the_browser_says(app, headers, expected):
    with app.test_request_context("/", headers=headers):
        assert csrf.same_origin() is expected
