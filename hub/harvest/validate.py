"""Harvested records checked by the input schema, with the bulk importer's cache of field groups."""

from __future__ import annotations

from marshmallow import ValidationError

from hub.errors import ValidationFailed
from hub.services.records import EDITABLE_FIELDS
from hub.services.validation import GroupedValidator
from metadata.schema import ResourceInputSchema

_VALIDATORS: dict[str, object] = {}
_EDITABLE = frozenset(EDITABLE_FIELDS)


def validate_harvested(record: dict) -> dict:
    """The editable fields of `record` as the input schema loads them; ValidationFailed if refused.

    Validation is cached by groups of fields when it passes (the free text checked field by field);
    a record it refuses is loaded by the input schema itself, so the messages are the schema's."""
    fields = {k: v for k, v in record.items() if k in _EDITABLE}
    loaded = _cached_validator().load(fields)
    if loaded is not None:
        return {k: v for k, v in loaded.items() if k in _EDITABLE}
    try:
        return _input_schema().load(fields)
    except ValidationError as exc:
        raise ValidationFailed.from_messages(exc.messages) from None


def _cached_validator() -> GroupedValidator:
    # Built once, its caches (each bounded) kept for the life of the process: sources repeat
    # vocabulary values, keywords and creators from record to record and from run to run.
    validator = _VALIDATORS.get("cached")
    if validator is None:
        validator = _VALIDATORS["cached"] = GroupedValidator(rest_schema=TextFields())
    return validator


def _input_schema() -> ResourceInputSchema:
    schema = _VALIDATORS.get("input")
    if schema is None:
        schema = _VALIDATORS["input"] = ResourceInputSchema()
    return schema


class TextFields:
    """The `rest_schema` of the GroupedValidator: what is left of a harvested record once the
    cached groups are taken out is free text (title, description, chapter), which no schema-level
    rule involves. A plain string is checked by its own field's rules (`metadata.fields.Text.check`)
    without marshmallow's per-call machinery; anything else, or any text those rules refuse, is
    refused, and the caller then loads the whole record with the input schema, so its messages
    are the schema's."""

    NAMES = ("title", "description", "chapter")

    def __init__(self):
        fields = ResourceInputSchema(only=self.NAMES).fields
        # A field with validators of its own is left to the schema.
        self.fields = {name: f for name, f in fields.items() if not f.validators}

    def load(self, data: dict) -> dict:
        if "title" not in data:
            raise ValidationError("the input schema decides")
        out = {}
        for name, value in data.items():
            field = self.fields.get(name)
            if field is None:
                raise ValidationError("the input schema decides")
            if value is None and field.allow_none:
                out[name] = None
            elif value.__class__ is str:  # null, bytes, numbers: the schema words the error
                out[name] = field.check(value)
            else:
                raise ValidationError("the input schema decides")
        return out
