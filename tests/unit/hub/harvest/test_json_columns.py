"""What a harvest writes to JSON columns is the text `json.dumps` gave before the encoder was kept
for the process: Chinese unescaped, no spaces, the same escapes and numbers."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from hub.db.base import _dumps

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(VALUES)
def test_json_columns_read_as_json_dumps_wrote_them(value):
    assert _dumps(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def test_a_harvested_creator_list_is_written_compactly_and_unescaped():
    assert _dumps([{"name": "教师1", "role": "author"}]) == '[{"name":"教师1","role":"author"}]'
