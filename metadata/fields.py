"""marshmallow fields for the canonical record: normalised text, vocabulary codes, creators;
bilingual messages."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from marshmallow import Schema, ValidationError, fields

from metadata.messages import codes_hint, message
from metadata.vocabularies import load_vocabularies, match_key

BASE_MESSAGES = {key: message(key) for key in ("required", "null", "validator_failed")}


class BilingualSchema(Schema):
    """Base schema: bilingual schema-level messages; an unknown field's message lists the accepted
    ones."""

    error_messages = {"type": message("schema_type"), "unknown": message("unknown", fields="")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        accepted = ", ".join(f.data_key or name for name, f in self.load_fields.items())
        self.error_messages = {
            **self.error_messages,
            "unknown": message("unknown", fields=accepted),
        }


# Control characters (Cc) other than tab and line breaks, surrogates (Cs), and the non-characters
# U+FFFE/U+FFFF.
_BAD_CHARACTERS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str, single_line: bool) -> str:
    """NFC, no control characters; single-line text has its whitespace runs collapsed to one
    space."""
    text = unicodedata.normalize("NFC", text).replace("\x0b", "\n").replace("\x0c", "\n")
    # Line breaks and tabs are whitespace; other control characters, surrogates and U+FFFE/U+FFFF
    # are refused, as XML 1.0 (OAI-PMH) and PostgreSQL text cannot carry them.
    if _BAD_CHARACTERS.search(text):
        raise ValidationError(message("bad_characters"))
    if single_line:
        return " ".join(text.split())
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


class Text(fields.String):
    """A string, normalised (see `clean_text`), non-blank unless `allow_blank`, at most `max_length`
    characters."""

    default_error_messages = {
        **BASE_MESSAGES,
        "invalid": message("invalid_string"),
        "invalid_utf8": message("invalid_utf8"),
    }

    def __init__(
        self,
        *,
        max_length: int | None = None,
        single_line: bool = True,
        allow_blank: bool = False,
        blank_message: str | None = None,
        **kwargs,
    ):
        metadata = dict(kwargs.pop("metadata", {}) or {})
        if max_length:
            metadata.setdefault("maxLength", max_length)
        if not allow_blank:
            metadata.setdefault("minLength", 1)
        super().__init__(metadata=metadata, **kwargs)
        self.max_length, self.single_line = max_length, single_line
        self.allow_blank = allow_blank
        self.blank_message = blank_message or message("blank")

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        return self.check(super()._deserialize(value, attr, data, **kwargs))

    def check(self, text: str) -> str:
        """`text`, a str, normalised and held to this field's blank and length rules."""
        text = clean_text(text, self.single_line)
        if not text and not self.allow_blank:
            raise ValidationError(self.blank_message)
        if self.max_length and len(text) > self.max_length:
            raise ValidationError(message("too_long", max=self.max_length))
        return text


class Code(Text):
    """A code from the named vocabulary; a wrong one is answered with the allowed codes."""

    def __init__(self, vocabulary: str, **kwargs):
        self.vocabulary_name = vocabulary
        codes = list(load_vocabularies().get(vocabulary).codes)
        metadata = {
            "enum": codes,
            "description": f"Code from GET /api/v1/vocabularies/{vocabulary}",
            **(kwargs.pop("metadata", {}) or {}),
        }
        super().__init__(max_length=64, metadata=metadata, **kwargs)

    @property
    def vocabulary(self):
        return load_vocabularies().get(self.vocabulary_name)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        code = super()._deserialize(value, attr, data, **kwargs)
        if code not in self.vocabulary:
            raise ValidationError(codes_hint(self.name or attr or "", code, self.vocabulary))
        return code


class UniqueList(fields.List):
    """A list without repeats (compared as `match_key` does), at most `max_items` long; `order`
    sorts by it."""

    default_error_messages = {**BASE_MESSAGES, "invalid": message("invalid_list")}

    def __init__(self, inner: fields.Field, *, max_items: int = 50, order=None, **kwargs):
        metadata = {
            "maxItems": max_items,
            "uniqueItems": True,
            **(kwargs.pop("metadata", {}) or {}),
        }
        super().__init__(inner, metadata=metadata, **kwargs)
        self.max_items, self.order = max_items, order

    def _deserialize(self, value, attr, data, **kwargs) -> list:
        if isinstance(value, (list, tuple)) and len(value) > 4 * self.max_items:
            raise ValidationError(message("too_many", max=self.max_items))
        items = dedupe(super()._deserialize(value, attr, data, **kwargs))
        if len(items) > self.max_items:
            raise ValidationError(message("too_many", max=self.max_items))
        return sorted(items, key=self.order) if self.order else items


def dedupe(items: list) -> list:
    """Drop later repeats, keeping the first spelling; text compares as `match_key` does."""
    seen, out = set(), []
    for item in items:
        key = _dedupe_key(item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _dedupe_key(item: Any) -> Any:
    if isinstance(item, str):
        return ("s", match_key(item))
    if isinstance(item, dict):
        return ("d", repr(sorted(item.items(), key=repr)))
    try:
        hash(item)
    except TypeError:
        return ("r", repr(item))
    return ("h", item)


class CodeList(UniqueList):
    def __init__(self, vocabulary: str, *, ordered: bool = False, **kwargs):
        order = load_vocabularies().get(vocabulary).index_of if ordered else None
        super().__init__(Code(vocabulary), order=order, **kwargs)


CREATOR_DOC = {
    "oneOf": [
        {"type": "string", "maxLength": 200},
        {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "maxLength": 200},
                "role": {
                    "type": "string",
                    "default": "author",
                    "enum": list(load_vocabularies().get("creator-roles").codes),
                },
            },
        },
    ],
    "description": "A name, or {name, role}; always answered as {name, role} (role defaults to "
    "'author').",
}


class Creator(fields.Field):
    """A creator, sent as a name or as {name, role}; always stored and answered as {name, role}."""

    default_error_messages = BASE_MESSAGES
    _name = Text(max_length=200)
    _role = Code("creator-roles")
    _role.name = (
        "role"  # unbound, so the not-in-vocabulary message needs to be told which field it is
    )

    def __init__(self, **kwargs):
        super().__init__(metadata=CREATOR_DOC, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> dict:
        if isinstance(value, str):
            value = {"name": value}
        if not isinstance(value, dict) or not set(value) <= {"name", "role"} or "name" not in value:
            raise ValidationError(
                message("creator_type")
            )  # not make_error: the text has literal braces
        errors, out = {}, {}
        for key, field, default in (("name", self._name, None), ("role", self._role, "author")):
            raw = value.get(key, default)
            try:
                out[key] = field.deserialize(raw if raw is not None else default)
            except ValidationError as error:
                errors[key] = error.messages
        if errors:
            raise ValidationError(errors)
        return out

    def _serialize(self, value, attr, obj, **kwargs) -> Any:
        if isinstance(value, str):
            return {"name": value, "role": "author"}
        return value


class Integer(fields.Integer):
    default_error_messages = {
        **BASE_MESSAGES,
        "invalid": message("invalid_integer"),
        "too_large": message("invalid_integer"),
    }


class DateTime(fields.DateTime):
    default_error_messages = {
        **BASE_MESSAGES,
        "invalid": message("invalid_datetime"),
        "invalid_awareness": message("invalid_datetime"),
        "format": message("invalid_datetime"),
    }


class Nested(fields.Nested):
    default_error_messages = {**BASE_MESSAGES, "type": message("invalid_object")}


class List(fields.List):
    default_error_messages = {**BASE_MESSAGES, "invalid": message("invalid_list")}
