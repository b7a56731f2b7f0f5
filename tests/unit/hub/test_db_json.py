"""The JSON columns read back exactly what was written, whichever parser reads them."""

from __future__ import annotations

import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.db.base import _dumps, _loads

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=60)
@given(VALUES)
def test_a_value_reads_back_as_the_standard_parser_reads_it(value):
    text = _dumps(value)
    assert _loads(text) == json.loads(text) == value


def test_what_orjson_refuses_is_still_read():
    assert _loads(_dumps({"big": 2**70})) == {"big": 2**70}
    assert math.isnan(_loads(_dumps([math.nan]))[0])
