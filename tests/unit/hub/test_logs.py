"""Request ids and JSON log lines: a peer's X-Request-Id is kept only when it is well formed."""

from __future__ import annotations

import json
import logging

from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from hub import logs


def _app() -> Flask:
    app = Flask(__name__)
    logs.init_app(app)
    app.add_url_rule("/", "index", lambda: "ok")
    return app


APP = _app()


@given(st.text(max_size=300))
def test_any_incoming_id_is_kept_only_when_well_formed(sent):
    try:
        response = APP.test_client().get("/", headers={"X-Request-Id": sent})
    except ValueError:  # werkzeug itself refuses headers with newlines
        return
    answered = response.headers["X-Request-Id"]
    assert logs.VALID_ID.fullmatch(answered)
    if logs.VALID_ID.fullmatch(sent):
        assert answered == sent
    else:
        assert len(answered) == 32


def test_a_json_line_is_one_line_whatever_the_message():
    record = logging.LogRecord("hub.x", logging.WARNING, __file__, 1, 'a\nb"c 中文', (), None)
    record.request_id, record.status = "abc", 500
    line = logs.JsonFormatter().format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["message"] == 'a\nb"c 中文' and parsed["request_id"] == "abc"
    assert parsed["level"] == "warning" and parsed["logger"] == "hub.x" and parsed["status"] == 500


def test_lines_inside_a_request_carry_its_id(caplog):
    app = _app()
    app.add_url_rule("/work", "work", lambda: logging.getLogger("hub.w").warning("done") or "ok")
    caplog.handler.addFilter(logs.RequestContext())
    with caplog.at_level(logging.INFO):
        app.test_client().get("/work", headers={"X-Request-Id": "req-1"})
    ids = {r.name: r.request_id for r in caplog.records}
    assert ids == {"hub.w": "req-1", "hub.access": "req-1"}
