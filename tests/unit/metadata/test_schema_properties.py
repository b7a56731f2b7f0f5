"""Properties of the record schemas: junk only ever fails validation; valid records load to a fixed
point."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from hub.errors import flatten_messages
from metadata.schema import (
    INPUT_FIELDS,
    ResourceInputSchema,
    ResourcePatchSchema,
    ResourceRecordSchema,
)
from metadata.vocabularies import load_vocabularies

VOCABULARIES = load_vocabularies()
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
# Plausible values too, so junk reaches the vocabulary and cross-field checks, not only the type
# checks.
codes = st.sampled_from([c for v in VOCABULARIES for c in v.codes])
field_values = (
    json_values | codes | st.lists(codes, max_size=5) | st.lists(json_values | codes, max_size=5)
)
junk = st.dictionaries(
    st.sampled_from(INPUT_FIELDS) | st.text(max_size=10), field_values, max_size=12
)


def _codes(name):
    return st.sampled_from(VOCABULARIES.get(name).codes)


def _text(max_size):
    return st.text(
        st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=max_size
    ).filter(lambda s: s.strip())


@st.composite
def valid_records(draw):
    stage = draw(st.sampled_from(["primary", "junior", "senior"]))
    grades = [g.code for g in VOCABULARIES.get("grades") if g.get("stage") == stage]
    subjects = [s.code for s in VOCABULARIES.get("subjects") if stage in s.get("stages")]
    volumes = [v.code for v in VOCABULARIES.get("volumes") if stage in v.get("stages", (stage,))]
    record = {
        "title": draw(_text(100)),
        "stage": stage,
        "grades": draw(st.lists(st.sampled_from(grades), max_size=3)),
        "subjects": draw(st.lists(st.sampled_from(subjects), max_size=3)),
        "volume": draw(st.sampled_from(volumes)),
        "keywords": draw(st.lists(_text(20), max_size=5)),
        "creators": draw(
            st.lists(
                _text(20)
                | st.fixed_dictionaries(
                    {"name": _text(20)}, optional={"role": _codes("creator-roles")}
                ),
                max_size=3,
            )
        ),
    }
    for field, vocabulary in (
        ("edition", "editions"),
        ("type", "types"),
        ("license", "licenses"),
        ("region", "regions"),
        ("language", "languages"),
        ("visibility", "visibility"),
    ):
        record[field] = (
            draw(st.none() | _codes(vocabulary))
            if field not in ("language", "visibility")
            else draw(_codes(vocabulary))
        )
    record["themes"] = draw(st.lists(_codes("themes"), max_size=3))
    record["description"] = draw(
        st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=200)
    )
    return record


@SETTINGS
@given(junk)
def test_junk_raises_nothing_but_validation_errors_the_envelope_can_carry(data):
    for schema in (ResourceInputSchema(), ResourcePatchSchema(), ResourceRecordSchema()):
        try:
            schema.load(data)
        except ValidationError as error:
            for entry in flatten_messages(error.messages):
                assert all(isinstance(m, str) and m for m in entry["messages"])


@settings(SETTINGS, max_examples=30)
@given(st.one_of(json_values, st.lists(junk, max_size=2)))
def test_junk_bodies_of_any_shape_raise_nothing_but_validation_errors(data):
    try:
        ResourceInputSchema().load(data)
    except ValidationError:
        pass


@SETTINGS
@given(valid_records())
def test_valid_records_load_to_a_fixed_point_and_survive_dump_and_reload(record):
    loaded = ResourceInputSchema().load(record)
    assert ResourceInputSchema().load(loaded) == loaded
    assert ResourcePatchSchema().load(loaded) == loaded
    dumped = ResourceRecordSchema().dump({**loaded, "id": "x", "status": "draft", "files": []})
    again = ResourceInputSchema().load({k: v for k, v in dumped.items() if k in INPUT_FIELDS})
    assert again == loaded
