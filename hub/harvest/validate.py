"""Harvested records checked by the input schema, with the bulk importer's cache of field groups."""

from __future__ import annotations

from marshmallow import ValidationError

from hub.errors import ValidationFailed
from hub.services.records import EDITABLE_FIELDS
from hub.services.validation import GroupedValidator
from metadata.fields import clean_text
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
    rule involves. Each is checked here by its own field's rules (`metadata.fields.Text`: the one
    `clean_text`, its blank and length limits) without marshmallow's per-call machinery; anything
    else, or any text those rules refuse, is refused, and the caller then loads the whole record
    with the input schema, so its messages are the schema's."""

    NAMES = ("title", "description", "chapter")

    def __init__(self):
        fields = ResourceInputSchema(only=self.NAMES).fields
        # (allow_none, single_line, allow_blank, max_length) of each field, read from the schema.
        self.rules = {
            name: (f.allow_none, f.single_line, f.allow_blank, f.max_length)
            for name, f in fields.items()
            if not f.validators  # a field with validators of its own is left to the schema
        }

    def load(self, data: dict) -> dict:
        if "title" not in data:
            raise ValidationError("the input schema decides")
        rules = self.rules
        out = {}
        for name, value in data.items():
            rule = rules.get(name)
            if rule is None:
                raise ValidationError("the input schema decides")
            out[name] = _text(value, *rule)
        return out


def _text(value, allow_none: bool, single_line: bool, allow_blank: bool, max_length) -> str | None:
    """`metadata.fields.Text`'s rules for a plain `str` (or None where allowed)."""
    if value is None and allow_none:
        return None
    if value.__class__ is not str:  # null, bytes, numbers: the schema words the error
        raise ValidationError("the input schema decides")
    text = clean_text(value, single_line)
    if (not text and not allow_blank) or (max_length and len(text) > max_length):
        raise ValidationError("the input schema decides")
    return text
