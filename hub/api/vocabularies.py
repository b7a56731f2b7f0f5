"""API: the controlled vocabularies (GET /api/v1/vocabularies[/NAME]), cacheable for an hour."""

from __future__ import annotations

from flask import jsonify, request
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, fields, validate

from hub.errors import NotFound
from hub.http.context import current_hub
from metadata.messages import MESSAGES

blp = Blueprint(
    "vocabularies",
    __name__,
    url_prefix="/api/v1",
    description="Controlled vocabularies 受控词表 (codes with Chinese and English labels)",
)

MAX_AGE = 3600


class LangQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE  # cache-busting parameters and the like are ignored

    lang = fields.String(
        validate=validate.OneOf(("zh", "en"), error=MESSAGES["one_of"]),
        metadata={
            "description": "one language: each term gets a single `label` instead of `zh` and `en`"
        },
    )


class TermSchema(Schema):
    code = fields.String(metadata={"description": "stable code to send and filter by"})
    zh = fields.String()
    en = fields.String()
    label = fields.String(metadata={"description": "with ?lang= only"})
    national = fields.String(metadata={"description": "national standard code, where one exists"})
    stage = fields.String(metadata={"description": "grades: the stage"})
    stages = fields.List(
        fields.String(), metadata={"description": "subjects and volumes: the stages"}
    )
    parent = fields.String(metadata={"description": "regions: the parent region's code"})
    level = fields.String(metadata={"description": "regions: province, city or county"})
    aliases = fields.List(
        fields.String(), metadata={"description": "other names that mean this term"}
    )


class VocabularySchema(Schema):
    name = fields.String()
    label = fields.Raw(metadata={"description": "{zh, en}, or one string with ?lang="})
    terms = fields.List(fields.Nested(TermSchema))


class VocabularyListSchema(Schema):
    vocabularies = fields.List(fields.Nested(VocabularySchema))


@blp.get("/vocabularies")
@blp.arguments(LangQuerySchema, location="query")
@blp.response(200, VocabularyListSchema)
def list_vocabularies(query):
    """Every vocabulary with its terms."""
    vocabularies = current_hub().vocabularies
    body = {"vocabularies": [v.to_dict(query.get("lang")) for v in vocabularies]}
    return _cacheable(body, vocabularies.digest, query)


@blp.get("/vocabularies/<name>")
@blp.arguments(LangQuerySchema, location="query")
@blp.response(200, VocabularySchema)
@blp.alt_response(404, description="No vocabulary of that name; the message lists the known ones.")
def get_vocabulary(query, name: str):
    """One vocabulary with its terms."""
    vocabularies = current_hub().vocabularies
    if name not in vocabularies:
        known = ", ".join(vocabularies.names())
        raise NotFound(
            f"没有名为“{name}”的词表，可用的词表：{known}。"
            f"There is no vocabulary named '{name}'; the known ones are: {known}."
        )
    return _cacheable(vocabularies.get(name).to_dict(query.get("lang")), vocabularies.digest, query)


def _cacheable(body: dict, digest: str, query: dict):
    # The data files change only with a release, so the digest of all of them is a fine validator.
    response = jsonify(body)
    response.set_etag(f"{digest}-{query.get('lang') or 'all'}")
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    return response.make_conditional(request)
