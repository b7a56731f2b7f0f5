"""API: search (`GET /api/v1/resources`) and completions for the search box (`GET
/api/v1/suggest`)."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request
from flask_smorest import Blueprint

from hub.api.auth import current_principal
from hub.api.schemas.search import (
    SearchArgsSchema,
    SearchResultSchema,
    SuggestArgsSchema,
    SuggestResultSchema,
)
from hub.http.context import current_hub
from hub.http.usage import record_usage
from hub.services.search import PARAMS

SEARCH_ARGS, SUGGEST_ARGS = SearchArgsSchema(), SuggestArgsSchema()
blp = Blueprint(
    "search", __name__, url_prefix="/api/v1", description="Search and suggestions. 搜索与联想。"
)


def _page_link(page: int) -> str:
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "page"] + [
        ("page", str(page))
    ]
    return f"{request.path}?{urlencode(args)}"


def _links(page: int, size: int, total: int) -> dict:
    last = max(1, -(-total // size))
    return {
        "self": _page_link(page),
        "next": _page_link(page + 1) if page < last else None,
        "prev": _page_link(min(page - 1, last)) if page > 1 else None,
    }


@blp.route("/resources", methods=["GET"])
# One schema instance, not a class: webargs would build a schema (deep copies of every field) on
# each request, a tenth of the hub's own time per search.
@blp.arguments(SEARCH_ARGS, location="query", as_kwargs=True)
@blp.doc(summary="Search published resources: words, filters, facet counts with Chinese labels")
@blp.alt_response(
    200,
    schema=SearchResultSchema,
    description="{hits: [records with highlights], total, aggregations, did_you_mean, links}",
)
def search_resources(q, sort, page, size, facets, **filters):
    filters = {name: values for name, values in filters.items() if name in PARAMS}
    result = current_hub().search.search(
        current_principal(), q=q, filters=filters, sort=sort, page=page, size=size, facets=facets
    )
    result["links"] = _links(page, size, result["total"])
    return record_usage("search", response=result)


@blp.route("/suggest", methods=["GET"])
@blp.arguments(SUGGEST_ARGS, location="query", as_kwargs=True)
@blp.doc(
    summary="Title completions from a Chinese prefix, full pinyin or initials (fenshu, fs -> "
    "分数...)"
)
@blp.alt_response(200, schema=SuggestResultSchema, description="{suggestions: [{id, title}]}")
def suggest(q, size):
    return {"suggestions": current_hub().search.suggest(current_principal(), q, size=size)}
