"""API: offline bundles of a search built by a worker; status, the ZIP (Range), the signing key."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint

from hub.api.auth import current_principal
from hub.api.download import send_download
from hub.bundles import signing
from hub.bundles.jobs import BundleJobService
from hub.errors import InvalidInput
from hub.http.context import current_hub

blp = Blueprint(
    "bundles",
    __name__,
    url_prefix="/api/v1",
    description="Offline bundles (signed ZIP of a search). 离线资源包。",
)


def _service() -> BundleJobService:
    return current_hub().bundles


@blp.route("/bundles/key", methods=["GET"])
@blp.doc(summary="This hub's public Ed25519 key, to verify its bundles (`--trust-key`)")
def get_key():
    public = signing.hub_private_key(current_hub().config.data_dir).public_key()
    return {
        "algorithm": signing.ALGORITHM,
        "key": signing.public_key_text(public),
        "pem": signing.public_key_pem(public),
    }


@blp.route("/bundles/estimate", methods=["GET"])
@blp.doc(
    summary="How big a bundle of a search would be: {resources, files, bytes, capped}; "
    "query parameters as in search (q, stage, subject, ...), counting only what the caller may read"
)
def get_estimate():
    # Every parameter goes to the filters' check: an unknown one is refused, not ignored.
    query = {name: request.args.getlist(name) for name in request.args if name != "q"}
    if "q" in request.args:
        query["q"] = request.args["q"]
    return _service().estimate(current_principal(), query)


@blp.route("/bundles", methods=["POST"])
@blp.doc(
    summary="Build an offline bundle of a search: JSON body {q, stage, subject, ...} as in search",
    security=[{"bearer": []}],
)
@blp.alt_response(202, description='{"id", "status", ...}')
def post_bundle():
    data = request.get_json(silent=True)
    if data is None and request.content_length:
        raise InvalidInput("请求体应为 JSON。Send a JSON body with Content-Type: application/json.")
    if data is not None and not isinstance(data, dict):
        raise InvalidInput("请求体应为 JSON 对象。The body must be a JSON object of filters.")
    job = _service().request(current_principal(), data or {})
    return job, 202, {"Location": job["links"]["self"]}


@blp.route("/bundles/<job_id>", methods=["GET"])
@blp.doc(summary="A bundle's status, counts and size", security=[{"bearer": []}])
def get_bundle(job_id):
    return _service().status(current_principal(), job_id)


@blp.route("/bundles/<job_id>/file", methods=["GET", "HEAD"])
@blp.doc(summary="The bundle's ZIP; Range gives 206", security=[{"bearer": []}])
def get_bundle_file(job_id):
    return send_download(_service().download(current_principal(), job_id))
