"""Harvested records are validated without marshmallow per record (cached groups, plain text
checks) to exactly what the input schema says: the same fields, or the same errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from hub.errors import ValidationFailed
from hub.harvest import validate
from hub.harvest.validate import validate_harvested
from metadata.schema import ResourceInputSchema
from metadata.vocabularies import load_vocabularies
from tests.resource_factories import valid_record

VOCAB = load_vocabularies()


def codes(name: str, *odd) -> st.SearchStrategy:
    """Real codes of a vocabulary (so the fast path is taken) and a few a source gets wrong."""
    real = sorted(VOCAB.get(name).codes)[:40]
    return st.sampled_from(real + ["nope", "", " math ", None, 7, *odd])


# Text a source may send: Chinese, spaces and line breaks, control characters, non-characters,
# and values that are not text at all.
TEXT = st.text(
    alphabet=st.sampled_from(list("分数的意义 abc\n\t\r\x00\x0b\x85\ufffe\u0301"))
    | st.characters(),
    max_size=30,
)
ODD = st.none() | st.integers() | st.booleans() | st.binary(max_size=4) | st.just(["x"])
CREATOR = st.fixed_dictionaries(
    {"name": TEXT | ODD}, optional={"role": st.sampled_from(["author", "editor", "x", 1])}
)
RECORDS = st.fixed_dictionaries(
    {},
    optional={
        "title": TEXT | ODD | st.text(min_size=495, max_size=505),
        "description": TEXT | ODD,
        "chapter": TEXT | ODD,
        "language": codes("languages"),
        "stage": codes("stages"),
        "subjects": st.lists(codes("subjects"), max_size=3) | ODD,
        "grades": st.lists(codes("grades"), max_size=3),
        "majors": st.lists(codes("majors"), max_size=2),
        "edition": codes("editions"),
        "volume": codes("volumes"),
        "type": codes("types"),
        "themes": st.lists(codes("themes"), max_size=2),
        "keywords": st.lists(TEXT | ODD, max_size=4) | ODD,
        "license": codes("licenses"),
        "creators": st.lists(CREATOR, max_size=2) | ODD,
        "region": codes("regions"),
        "visibility": codes("visibility"),
        "origin_url": st.just("https://example.org/r/1"),  # not editable: left out by both
    },
)


def schema_result(data: dict):
    fields = {k: v for k, v in data.items() if k != "origin_url"}
    try:
        return ResourceInputSchema().load(fields), None
    except ValidationError as exc:
        return None, ValidationFailed.from_messages(exc.messages).errors


@settings(max_examples=400, deadline=None)
@given(data=RECORDS)
def test_harvested_validation_gives_what_the_input_schema_gives(data):
    expected, errors = schema_result(data)
    for _ in range(2):  # the second time the groups come from their caches
        if errors is None:
            assert validate_harvested(dict(data)) == expected
        else:
            with pytest.raises(ValidationFailed) as err:
                validate_harvested(dict(data))
            assert err.value.errors == errors


# Plain text up to and past each field's length limit, blank once cleaned, or a bad character.
CLEAN = st.sampled_from(list("认识百分数 \t\n第1课时"))
EDGE = st.builds(
    lambda n, tail: "分" * n + tail,
    st.sampled_from([0, 1, 499, 500, 501]),
    st.sampled_from(["", " ", "\n", "\x00", "\x0c"]),
)


@settings(max_examples=300, deadline=None)
@given(
    title=st.none() | st.text(alphabet=CLEAN, max_size=40) | EDGE,
    description=st.none() | st.text(alphabet=CLEAN, max_size=40) | EDGE,
    chapter=st.none() | st.text(alphabet=CLEAN, max_size=20) | EDGE,
    creators=st.lists(st.fixed_dictionaries({"name": st.sampled_from(["张老师", "李老师"])})),
)
def test_plain_records_are_checked_by_the_schemas_text_rules(title, description, chapter, creators):
    data = valid_record(title=title, description=description, chapter=chapter, creators=creators)
    expected, errors = schema_result(data)
    if errors is None:
        assert validate._cached_validator().load(dict(data)) is not None  # no schema load
        assert validate_harvested(dict(data)) == expected
    else:
        with pytest.raises(ValidationFailed) as err:
            validate_harvested(dict(data))
        assert err.value.errors == errors


def test_the_text_rules_are_the_schemas_fields():
    checked = validate.TextFields().fields
    fields = ResourceInputSchema().fields
    assert set(checked) == set(validate.TextFields.NAMES)
    for name, field in checked.items():
        schemas = fields[name]
        assert (field.allow_none, field.single_line) == (schemas.allow_none, schemas.single_line)
        assert (field.allow_blank, field.max_length) == (schemas.allow_blank, schemas.max_length)
