"""The set-password page a one-time link opens: choose a password, once, before the link expires."""

from __future__ import annotations

from flask import Blueprint, make_response, render_template, request
from flask_babel import gettext as _

from hub.errors import ValidationFailed
from hub.http.context import current_hub
from hub.http.principal import client_ip


def _private(body: str, status: int = 200):
    """The token is in the URL: keep it out of caches and out of Referer headers."""
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def set_password(token: str):
    account = current_hub().password_links.check(token)  # a dead link is the error page
    return _private(render_template("set_password.html", account=account, error=None))


def set_password_submit(token: str):
    links = current_hub().password_links
    account = links.check(token)
    password, confirm = request.form.get("password", ""), request.form.get("confirm", "")
    try:
        if password != confirm:
            raise ValidationFailed(_("The two passwords differ: type the same one twice."))
        links.use(token, password, ip=client_ip())
    except ValidationFailed as exc:
        error = exc.errors[0]["messages"][0] if exc.errors else exc.message
        page = render_template("set_password.html", account=account, error=error)
        return _private(page, 422)
    return _private(render_template("set_password_done.html", email=account["email"]))


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/set-password/<token>", "set_password", set_password, methods=["GET"])
    bp.add_url_rule(
        "/set-password/<token>", "set_password_submit", set_password_submit, methods=["POST"]
    )
