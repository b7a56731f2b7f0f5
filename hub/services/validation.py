"""Record validation cached by groups of fields, for callers that check many records from one source
(bulk import, harvests): sources repeat vocabulary values, keywords and creators from record to
record, so each distinct value of a group is checked by the schema once.
"""

from __future__ import annotations

import json

from marshmallow import ValidationError

from metadata.schema import ResourceRecordSchema

# Vocabulary fields repeat from record to record.
VOCAB_FIELDS = (
    "language",
    "stage",
    "subjects",
    "grades",
    "majors",
    "edition",
    "volume",
    "type",
    "themes",
    "license",
    "region",
    "visibility",
)
MAX_CACHED = 100_000  # values kept per group; a full cache starts again
# Each group below is validated and cached by its own values: only the first group is tied together
# by the schema's cross-field rules (consistency_errors, infer_stage); every other field stands
# alone. Combinations of all vocabulary fields rarely repeat (region alone has hundreds of codes),
# each group's values do.
LINKED_FIELDS = ("stage", "subjects", "grades", "majors", "volume")
CACHED_GROUPS = (
    (LINKED_FIELDS,)
    + tuple((f,) for f in VOCAB_FIELDS if f not in LINKED_FIELDS)
    + (("keywords",), ("creators",), ("org",))
)
CACHED_FIELDS = tuple(f for group in CACHED_GROUPS for f in group)
CACHED_SET = frozenset(CACHED_FIELDS)
_MISSING = object()
_DICTS = object()  # marks the key of a list of dicts


class GroupedValidator:
    """`load(record)`: ResourceRecordSchema's result, by cached group plus `rest_schema` for the
    other fields (default: the record schema without the cached fields); None when any part is
    refused, so that the caller can load the record with its own schema and report the errors
    exactly as that schema words them."""

    def __init__(self, rest_schema=None):
        self.groups = [(group, ResourceRecordSchema(only=group), {}) for group in CACHED_GROUPS]
        # A group of one field is keyed by its value alone (no tuple): most groups, most records.
        self.single = [(g[0], schema, cache) for g, schema, cache in self.groups if len(g) == 1]
        self.linked = [group for group in self.groups if len(group[0]) > 1]
        self.rest_schema = rest_schema or ResourceRecordSchema(exclude=CACHED_FIELDS)

    def load(self, record: dict) -> dict | None:
        out = {}
        for group, schema, cache in self.linked:
            key = tuple([_cache_key(record.get(f, _MISSING)) for f in group])
            data = cache.get(key, _MISSING)
            if data is _MISSING:
                data = _check(schema, cache, key, {f: record[f] for f in group if f in record})
            if data is None:
                return None
            out.update(data)
        for name, schema, cache in self.single:
            value = record.get(name, _MISSING)
            key = value if value.__class__ is str else _cache_key(value)
            data = cache.get(key, _MISSING)
            if data is _MISSING:
                data = _check(schema, cache, key, {} if value is _MISSING else {name: value})
            if data is None:
                return None
            out.update(data)
        try:
            rest = self.rest_schema.load({k: v for k, v in record.items() if k not in CACHED_SET})
        except ValidationError:
            return None
        return {**rest, **out}


def _check(schema, cache: dict, key, data: dict) -> dict | None:
    """The group's values as `schema` loads them (None if refused), remembered under `key`."""
    try:
        loaded = schema.load(data)
    except ValidationError:
        loaded = None
    if len(cache) >= MAX_CACHED:
        cache.clear()
    cache[key] = loaded
    return loaded


def _cache_key(value):
    """A hashable key that tells apart every value the schema could treat differently (1, 1.0, True,
    "1")."""
    if value is _MISSING or value.__class__ is str:
        return value
    if value.__class__ is list:
        if all(v.__class__ is str for v in value):
            return tuple(value)
        if all(v.__class__ is dict and _flat_text(v) for v in value):
            # Creators: their keys and values in order; a list of strings never makes this key.
            return (_DICTS, tuple(tuple(v.items()) for v in value))
    # Anything else (null, numbers, nested lists): its JSON text with its type; tuples above hold
    # no None.
    return (None, value.__class__.__name__, json.dumps(value, ensure_ascii=False, default=repr))


def _flat_text(value: dict) -> bool:
    return all(k.__class__ is str and v.__class__ is str for k, v in value.items())
