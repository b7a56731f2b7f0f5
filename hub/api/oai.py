"""OAI-PMH 2.0 at /oai (GET and POST), outside /api/v1: parses the arguments and returns the
provider's XML."""

from __future__ import annotations

from flask import Response, request
from flask_smorest import Blueprint

from hub.http.context import current_hub
from hub.http.principal import current_principal

blp = Blueprint(
    "oai",
    __name__,
    url_prefix=None,
    description="OAI-PMH 2.0 provider: oai_dc and lom, sets stage:/subject:/org:. OAI-PMH 2.0 "
    "元数据收割接口。",
)


@blp.route("/oai", methods=["GET", "POST"])
def oai():
    """Answer one OAI-PMH request (verb=Identify, ListRecords, ...); errors are OAI-PMH error
    elements."""
    # The protocol takes arguments from the query (GET) or a form body (POST), never both.
    source = request.form if request.method == "POST" else request.args
    args = dict(source.lists())
    base_url = request.base_url
    # A harvest token bound to an organisation subtree sees what its members may read.
    body = _service().respond(args, base_url=base_url, actor=current_principal())
    return Response(body, mimetype="text/xml", headers={"Cache-Control": "no-store"})


def _service():
    return current_hub().oai
