"""Harvested records are validated with each vocabulary combination checked once, to the same result
as the schema."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.errors import ValidationFailed
from tests.resource_factories import valid_record

RECORDS = [
    valid_record(title="  分数的意义  ", keywords=["分数", "分数"]),
    valid_record(title="力与运动", stage=None, subjects=["physics"], grades=["g8"]),
    {"title": "只有标题"},
]


@pytest.mark.parametrize("data", RECORDS)
def test_the_cached_validation_gives_what_the_schema_gives(hub, data):
    data = {k: v for k, v in data.items() if k != "org"}
    expected = hub.resources.validate(data)
    for _ in range(2):  # the second time the vocabulary part comes from the cache
        assert hub.resources.validate_harvested(dict(data)) == expected


@pytest.mark.parametrize(
    "bad, field",
    [({"grades": ["g10"]}, "grades"), ({"title": ""}, "title"), ({"type": "no-such-type"}, "type")],
)
def test_invalid_records_are_refused_every_time_with_the_field(hub, bad, field):
    data = {**{k: v for k, v in valid_record().items() if k != "org"}, **bad}
    for _ in range(2):
        with pytest.raises(ValidationFailed) as err:
            hub.resources.validate_harvested(data)
        assert field in {e["field"] for e in err.value.errors}


# Text a source may send: Chinese, spaces and line breaks, control characters and the odd
# non-character.
TEXT = st.text(
    alphabet=st.sampled_from(list("分数的意义 abc\n\t\r\x00\x0b\ufffe")) | st.characters(),
    max_size=40,
)
CODES = st.sampled_from(
    ["primary", "junior", "g3", "g8", "math", "physics", "courseware", "nope", "", None]
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.fixed_dictionaries(
        {},
        optional={
            "title": TEXT | st.none(),
            "description": TEXT,
            "chapter": TEXT | st.none(),
            "stage": CODES,
            "subjects": st.lists(CODES, max_size=3),
            "grades": st.lists(CODES, max_size=3),
            "type": CODES,
            "keywords": st.lists(TEXT, max_size=4),
            "creators": st.lists(st.fixed_dictionaries({"name": TEXT}), max_size=2),
            "language": st.sampled_from(["zh", "en", "xx", None]),
        },
    )
)
def test_the_cached_validation_accepts_and_refuses_what_the_input_schema_does(hub, data):
    from marshmallow import ValidationError

    from metadata.schema import ResourceInputSchema

    try:
        expected = ResourceInputSchema().load(dict(data))
    except ValidationError as exc:
        with pytest.raises(ValidationFailed) as err:
            hub.resources.validate_harvested(dict(data))
        assert err.value.errors == ValidationFailed.from_messages(exc.messages).errors
    else:
        assert hub.resources.validate_harvested(dict(data)) == expected
