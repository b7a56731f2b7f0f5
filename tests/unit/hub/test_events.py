"""Audit action names live in one enum; every name the code records is listed there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hub.events import AuditAction, audit_action

ROOT = Path(__file__).resolve().parents[3]
CALL = re.compile(r"\.audit\(\s*\"([^\"]+)\"")


def test_every_recorded_action_is_in_the_enum():
    used = {
        m.group(1)
        for folder in ("hub", "connectors", "workers")
        for path in (ROOT / folder).rglob("*.py")
        for m in CALL.finditer(path.read_text(encoding="utf-8"))
    }
    assert used, "the scan found no audit calls"
    assert used <= {a.value for a in AuditAction}


def test_names_are_dotted_subject_verb():
    assert all(re.fullmatch(r"[a-z]+(\.[a-z_]+)+", a.value) for a in AuditAction)


def test_an_unlisted_action_is_refused():
    with pytest.raises(ValueError, match="AuditAction"):
        audit_action("resource.explode")
