"""The web pages' catalogs cannot drift: every text on a page has its Chinese, and each .mo is its
.po compiled."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import Flask

from hub.web import i18n

ROOT = Path(__file__).resolve().parents[4]
CATALOGS = sorted(i18n.TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _read(path: Path, reader):
    with path.open("rb") as f:
        return reader(f)


def _strings(catalog) -> dict:
    def plain(value):
        return (
            value if isinstance(value, str) else tuple(value)
        )  # read_mo gives plural forms as lists

    return {plain(m.id): plain(m.string) for m in catalog if m.id and m.string and not m.fuzzy}


def _extracted_ids() -> set:
    """What `pybabel extract -F babel.cfg -k _l` would find today."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {**DEFAULT_KEYWORDS, "_l": None}
    return {
        message if isinstance(message, str) else message[0]
        for _, _, message, _, _ in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords
        )
    }


def test_there_is_a_chinese_catalog():
    assert [p.parts[-3] for p in CATALOGS] == ["zh"]


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: p.parts[-3])
def test_compiled_catalog_is_its_source_compiled(po_path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), "run: pybabel compile -d hub/web/translations"
    assert _strings(_read(mo_path, read_mo)) == _strings(_read(po_path, read_po)), (
        "the .mo is stale: run pybabel compile -d hub/web/translations"
    )


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: p.parts[-3])
def test_every_text_on_the_pages_is_translated_and_nothing_else_is_kept(po_path):
    catalog = _read(po_path, read_po)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and not m.fuzzy and all(m.string if isinstance(m.string, tuple) else (m.string,))
    }
    in_catalog = {(m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}
    extracted = _extracted_ids()
    assert sorted(extracted - translated) == [], (
        "untranslated: run pybabel extract/update (README, Languages)"
    )
    assert sorted(in_catalog - extracted) == [], "no page uses these any more: run pybabel update"


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: p.parts[-3])
def test_translations_keep_the_placeholders(po_path):
    for message in _read(po_path, read_po):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1])) - {"num"}
        for string in strings:
            assert wanted <= set(PLACEHOLDER.findall(string)), message.id


@pytest.fixture
def app():
    app = Flask(__name__)
    i18n.init_app(app)
    return app


@pytest.mark.parametrize(
    "header, cookie, expected",
    [
        (None, None, "zh"),
        ("en-US,en;q=0.9", None, "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", None, "zh"),
        ("zh-TW", None, "zh"),
        ("fr-FR,fr;q=0.9", None, "zh"),
        ("fr-FR,fr;q=0.9,en;q=0.5", None, "en"),
        ("en", "zh", "zh"),
        ("zh-CN", "en", "en"),
        ("en", "klingon", "en"),
    ],
)
def test_the_cookie_wins_then_the_browser_then_chinese(app, header, cookie, expected):
    headers = {"Accept-Language": header} if header else {}
    if cookie:
        headers["Cookie"] = f"{i18n.COOKIE}={cookie}"
    with app.test_request_context("/", headers=headers):
        assert i18n.select_locale() == expected
        assert i18n.current_lang() == expected


def test_outside_a_request_the_language_is_chinese(app):
    with app.app_context():
        assert i18n.select_locale() == "zh"
        assert i18n.current_lang() == "zh"
