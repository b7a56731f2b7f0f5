"""Answers encoded by orjson read as Flask's own encoder wrote them, and whatever orjson would write
differently goes through Flask's encoder."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import json
import math
import uuid
from collections import namedtuple

import pytest
from flask import Flask
from flask.json.provider import DefaultJSONProvider
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.http.json_provider import JSONProvider

APP = Flask(__name__)
FAST = JSONProvider(APP)
STANDARD = DefaultJSONProvider(APP)
STANDARD.ensure_ascii, STANDARD.sort_keys = False, False  # what the hub configured before
COMPACT = {"separators": (",", ":")}

# Everything a record, a page of hits or an error envelope is made of, but floats (below).
SCALARS = st.none() | st.booleans() | st.integers() | st.text()
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=60)
@given(VALUES)
def test_the_text_is_the_standard_encoders_byte_for_byte(value):
    assert FAST.dumps(value, **COMPACT) == STANDARD.dumps(value, **COMPACT)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_read_back_as_the_same_number(number):
    assert json.loads(FAST.dumps({"x": number}, **COMPACT)) == {"x": number}


def test_nan_becomes_null_which_every_json_parser_reads():
    assert FAST.dumps([math.nan, math.inf], **COMPACT) == "[null,null]"


@dataclasses.dataclass
class Point:
    x: int


Pair = namedtuple("Pair", "a b")


@pytest.mark.parametrize(
    "value",
    [
        {"when": datetime.datetime(2026, 12, 6, 14, 0, tzinfo=datetime.UTC)},  # an HTTP date
        {"day": datetime.date(2026, 12, 6)},
        {"price": decimal.Decimal("1.10"), "id": uuid.UUID(int=7)},
        {"point": Point(3)},
        {"big": 2**70, "pair": Pair(1, "二")},
        {1: "int keys", None: "none key"},
        ("a", "tuple"),
    ],
)
def test_what_orjson_writes_otherwise_goes_through_flasks_encoder(value):
    assert FAST.dumps(value, **COMPACT) == STANDARD.dumps(value, **COMPACT)


@pytest.mark.parametrize("value", [{"lone": "\ud800"}, {"set": {1}}, {"object": object()}])
def test_what_flask_refuses_is_refused_the_same_way(value):
    outcomes = []
    for provider in (FAST, STANDARD):
        try:
            outcomes.append(provider.dumps(value, **COMPACT))
        except TypeError as error:
            outcomes.append(type(error))
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize("kwargs", [{}, {"indent": 2}, {"sort_keys": True}])
def test_other_calls_keep_the_standard_encoders_layout(kwargs):
    value = {"b": [1, "中"], "a": None}
    assert FAST.dumps(value, **kwargs) == STANDARD.dumps(value, **kwargs)


def test_a_response_is_compact_utf8_with_its_newline():
    with APP.app_context():
        response = FAST.response({"title": "分数", "n": 1})
    assert response.get_data() == '{"title":"分数","n":1}\n'.encode()
    assert response.mimetype == "application/json"
