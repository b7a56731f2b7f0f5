"""Languages of the web pages: Chinese by default, English on request; a cookie set by the switch
beats the browser."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, g, has_request_context, redirect, request, url_for
from flask_babel import Babel, get_locale

from hub.http import redirects

# Message ids are English; the Chinese catalog is what most visitors see.
DEFAULT = "zh"
LANGUAGES = ("zh", "en")
HTML_LANG = {"zh": "zh-CN", "en": "en"}
NAMES = {"zh": "中文", "en": "English"}  # each in its own language, so a reader finds theirs
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
TRANSLATIONS = Path(__file__).parent / "translations"


def select_locale() -> str:
    """The switch's cookie first, then the browser's best match among ours, else Chinese."""
    if not has_request_context():
        return DEFAULT
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT)


def current_lang() -> str:
    """'zh' or 'en': the language this request is rendered in (vocabulary labels use the same
    codes).

    Kept on `g`: a search page asks some 200 times (every label), and Babel's own lookup is not
    free."""
    if not has_request_context():
        return DEFAULT
    lang = g.get("_eduhub_lang")
    if lang is None:
        locale = get_locale()
        lang = g._eduhub_lang = (
            locale.language if locale is not None and locale.language in LANGUAGES else DEFAULT
        )
    return lang


def switch(code: str):
    """Remember the visitor's choice and go back to the page they were on (a local path only)."""
    response = redirect(redirects.safe_next(request.args.get("next"), url_for("web.search")))
    response.set_cookie(
        COOKIE,
        code,
        max_age=COOKIE_MAX_AGE,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure,
    )
    return response


def template_context() -> dict:
    lang = current_lang()
    return {
        "lang": lang,
        "html_lang": HTML_LANG[lang],
        "languages": [(code, NAMES[code], HTML_LANG[code]) for code in LANGUAGES],
    }


def vary(response: Response) -> Response:
    """A shared cache must not hand an English page to a Chinese browser (assets are the same in
    both)."""
    if request.endpoint == "web.static":
        return response
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response


def init_app(app: Flask) -> None:
    Babel(
        app,
        default_locale=DEFAULT,
        default_translation_directories=str(TRANSLATIONS),
        locale_selector=select_locale,
    )


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/lang/<any(zh, en):code>", "lang", switch, methods=["GET"])
    bp.app_context_processor(template_context)
    bp.after_request(vary)
