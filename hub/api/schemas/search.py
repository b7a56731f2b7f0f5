"""Request and response schemas of search and suggestions (the responses document the OpenAPI
only)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from hub.search.base import MAX_SIZE, SORTS
from hub.services.search import FACET_FIELDS


def _codes(description: str):
    return fields.List(
        fields.String(validate=validate.Length(1, 100)),
        load_default=list,
        metadata={"description": description + " Repeat the parameter for several (OR)."},
    )


class FacetNames(fields.String):
    """`subject,grade` -> ("subject", "grade"); absent -> None (every facet); empty -> () (none).
    The search service checks the names."""

    def _deserialize(self, value, attr, data, **kwargs):
        return tuple(
            n.strip()
            for n in super()._deserialize(value, attr, data, **kwargs).split(",")
            if n.strip()
        )


class SearchArgsSchema(Schema):
    q = fields.String(
        load_default="",
        validate=validate.Length(max=200),
        metadata={"description": "Words, in Chinese or English. 关键词"},
    )
    stage = _codes("School stage code (stages vocabulary).")
    subject = _codes("Subject code.")
    grade = _codes("Grade code.")
    major = _codes(
        "Major code (majors vocabulary) of a vocational or higher stage; a category (e.g. 43) "
        "also finds its classes (4303)."
    )
    edition = _codes("Textbook edition code.")
    volume = _codes("Volume code.")
    type = _codes("Resource type code.")
    theme = _codes("Local theme code.")
    region = _codes("6-digit region code; a city also finds its counties.")
    org = _codes("Organisation code; also finds resources of the organisations under it.")
    license = _codes("SPDX licence id.")
    source = _codes("Source name (harvested records).")
    sort = fields.String(load_default="relevance", validate=validate.OneOf(SORTS))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_SIZE))
    facets = FacetNames(
        load_default=None,
        validate=validate.Length(max=200),
        metadata={
            "description": "Which facets to count, comma-separated (e.g. `subject,grade`); "
            f"absent: all of them ({', '.join(FACET_FIELDS)}); empty: none. Each one counted "
            "costs time. 要统计的分面",
            "example": "stage,subject,grade,type",
        },
    )


class SuggestArgsSchema(Schema):
    q = fields.String(load_default="", validate=validate.Length(max=100))
    size = fields.Integer(load_default=8, validate=validate.Range(min=1, max=20))


class BucketSchema(Schema):
    key = fields.String(metadata={"example": "math"})
    label = fields.String(metadata={"example": "数学"})
    count = fields.Integer(metadata={"example": 42})


class DidYouMeanSchema(Schema):
    q = fields.String(metadata={"description": "the corrected query", "example": "分数"})
    total = fields.Integer(
        metadata={"description": "how many it finds for this caller, with the same filters"}
    )


class SearchLinksSchema(Schema):
    self = fields.String()
    next = fields.String(allow_none=True)
    prev = fields.String(allow_none=True)


class SearchResultSchema(Schema):
    hits = fields.List(
        fields.Dict(),
        metadata={
            "description": "canonical records, each with `highlights`: {title, description} as "
            "HTML, matches in <mark>"
        },
    )
    total = fields.Integer()
    aggregations = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Nested(BucketSchema)),
        metadata={
            "description": "facet (API name) -> buckets, count descending; "
            "only the facets asked for"
        },
    )
    did_you_mean = fields.Nested(
        DidYouMeanSchema,
        allow_none=True,
        metadata={
            "description": "when the words found nothing: a corrected query that finds something "
            "(pinyin to characters, a homophone fixed, an English term in Chinese, a word that "
            "matches nothing dropped), else null. 您是不是要找"
        },
    )
    links = fields.Nested(SearchLinksSchema)


class SuggestionSchema(Schema):
    id = fields.String()
    title = fields.String()


class SuggestResultSchema(Schema):
    suggestions = fields.List(fields.Nested(SuggestionSchema))
