"""Log-in and log-out with the session cookie the API also reads (`session["uid"]`)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for

from hub.errors import TooManyRequests, Unauthenticated
from hub.http import redirects
from hub.http.context import current_hub
from hub.http.principal import client_ip, current_principal, start_session
from hub.web import csrf


def safe_next(target: object) -> str:
    """Only a path on this site, else the search page."""
    return redirects.safe_next(target, url_for("web.search"))


def login():
    if current_principal().is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    target = request.args.get("next", "")
    # Only a local path goes back into the form: a hostile one is dropped here, not only later.
    shown = target if redirects.is_local_path(target) else ""
    return render_template("login.html", next=shown, email="", error=None)


def login_submit():
    email, password = request.form.get("email", "").strip(), request.form.get("password", "")
    target = request.form.get("next", "")
    try:
        principal = current_hub().accounts.authenticate_password(email, password, ip=client_ip())
    except (Unauthenticated, TooManyRequests) as exc:
        page = render_template("login.html", next=target, email=email, error=exc.message)
        return page, exc.status
    start_session(principal)
    csrf.rotate()
    return redirect(safe_next(target))


def logout():
    session.clear()
    return redirect(url_for("web.search"))


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/login", "login", login, methods=["GET"])
    bp.add_url_rule("/login", "login_submit", login_submit, methods=["POST"])
    bp.add_url_rule("/logout", "logout", logout, methods=["POST"])
