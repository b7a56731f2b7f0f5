"""Operator pages: sources and sync runs (retry from the page), people, and the audit log."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from hub.errors import Forbidden, HubError
from hub.http.context import current_hub
from hub.http.principal import current_principal, keep_session

AUDIT_PAGE_SIZE = 50
RECENT = 10


def _admin():
    """The principal, or None when a log-in is needed; non-admins get a 403 page."""
    principal = current_principal()
    if not principal.is_authenticated:
        return None
    if not principal.is_admin:
        raise Forbidden(_("Only hub administrators can open the admin pages."))
    return principal


def _login_first():
    return redirect(url_for("web.login", next=request.full_path.rstrip("?")))


def dashboard():
    principal = _admin()
    if principal is None:
        return _login_first()
    hub = current_hub()
    sources = hub.sources.list(principal)
    failing = [
        s for s in sources if s["last_run"] and s["last_run"]["status"] in ("failed", "partial")
    ]
    return render_template(
        "admin.html",
        sources=sources,
        failing=failing,
        users=hub.accounts.count_users(principal),
        orgs=hub.accounts.count_orgs(),
        recent=hub.audit.list(principal, page=1, size=RECENT).entries,
        seeded=hub.accounts.seeded_password_users(principal),
    )


def sources_page(message=None, status=200):
    principal = _admin()
    if principal is None:
        return _login_first()
    hub = current_hub()
    sources = hub.sources.list(principal)
    failures = {
        s["id"]: hub.sync.failures(principal, s["last_run"]["id"], unresolved_only=True)
        for s in sources
        if s["last_run"]
    }
    notice = request.args.get("notice")
    return render_template(
        "admin_sources.html", sources=sources, failures=failures, message=message, notice=notice
    ), status


def start_sync(source_id: int):
    try:
        run = current_hub().sync.start(
            current_principal(), source_id, full=request.form.get("full") == "1"
        )
    except HubError as exc:
        return sources_page(exc.message, exc.status)
    return redirect(url_for("web.admin_sources", notice=_("Sync started: #%(id)s", id=run["id"])))


def set_source_token(source_id: int):
    """A new harvest token for a hub source: sealed by the service, never echoed back."""
    try:
        current_hub().sources.update(
            current_principal(), source_id, {"token": request.form.get("token", "")}
        )
    except HubError as exc:
        return sources_page(exc.message, exc.status)
    return redirect(url_for("web.admin_sources", notice=_("Token saved.")))


def retry_failures(run_id: int):
    try:
        result = current_hub().sync.retry_failures(current_principal(), run_id)
    except HubError as exc:
        return sources_page(exc.message, exc.status)
    notice = _(
        "Retried %(retried)s, resolved %(resolved)s.",
        retried=result["retried"],
        resolved=result["resolved"],
    )
    return redirect(url_for("web.admin_sources", notice=notice))


def people(message=None, status=200):
    principal = _admin()
    if principal is None:
        return _login_first()
    hub = current_hub()
    return render_template(
        "admin_people.html",
        users=hub.accounts.list_users(principal),
        orgs=hub.accounts.list_orgs(principal),
        message=message,
        notice=request.args.get("notice"),
    ), status


def set_active(user_id: int, action: str):
    try:
        user = current_hub().accounts.set_active(
            current_principal(), action == "enable", user_id=user_id
        )
    except HubError as exc:
        return people(exc.message, exc.status)
    email = user["email"]
    done = _("Enabled %(email)s.", email=email) if action == "enable" else None
    done = done or _("Disabled %(email)s; their tokens are revoked.", email=email)
    return redirect(url_for("web.admin_people", notice=done))


def set_password(user_id: int):
    try:
        user = current_hub().accounts.set_password(
            current_principal(), user_id=user_id, password=request.form.get("password", "")
        )
    except HubError as exc:
        details = " ".join(m for e in exc.errors for m in e["messages"])
        return people(f"{exc.message} {details}".strip(), exc.status)
    keep_session(user)
    notice = _("Password set for %(email)s.", email=user["email"])
    return redirect(url_for("web.admin_people", notice=notice))


def audit():
    principal = _admin()
    if principal is None:
        return _login_first()
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and int(page) > 0 else 1
    action = request.args.get("action", "").strip() or None
    result = current_hub().audit.list(principal, action=action, page=page, size=AUDIT_PAGE_SIZE)
    return render_template("admin_audit.html", result=result, action=action or "")


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/admin", "admin", dashboard, methods=["GET"])
    bp.add_url_rule("/admin/sources", "admin_sources", sources_page, methods=["GET"])
    bp.add_url_rule(
        "/admin/sources/<int:source_id>/sync", "admin_sync", start_sync, methods=["POST"]
    )
    bp.add_url_rule(
        "/admin/runs/<int:run_id>/retry", "admin_retry", retry_failures, methods=["POST"]
    )
    bp.add_url_rule(
        "/admin/sources/<int:source_id>/token",
        "admin_source_token",
        set_source_token,
        methods=["POST"],
    )
    bp.add_url_rule("/admin/people", "admin_people", people, methods=["GET"])
    bp.add_url_rule(
        "/admin/people/<int:user_id>/<any(disable, enable):action>",
        "admin_user_active",
        set_active,
        methods=["POST"],
    )
    bp.add_url_rule(
        "/admin/people/<int:user_id>/password",
        "admin_user_password",
        set_password,
        methods=["POST"],
    )
    bp.add_url_rule("/admin/audit", "admin_audit", audit, methods=["GET"])
