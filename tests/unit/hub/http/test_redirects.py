"""The `next` rule: local paths only."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from hub.http.redirects import is_local_path, safe_next

BASE = "https://hub.example/"


def browser_target(location: str) -> str:
    cleaned = "".join(c for c in location if c not in "\t\n\r")
    return urlsplit(urljoin(BASE, cleaned)).netloc


@given(st.text())
def test_whatever_the_input_the_answer_resolves_on_the_hub(target):
    assert browser_target(safe_next(target, "/")) == "hub.example"


@given(st.text(alphabet=st.characters(codec="ascii", categories=["L", "N"]), max_size=30))
def test_plain_local_paths_are_kept(tail):
    path = "/r/" + tail + "?page=2"
    assert safe_next(path, "/fallback") == path


def test_the_known_tricks_are_refused():
    for target in ("/\t/evil", "//evil", "/\\evil", "https://evil", "/\n", "", None, 42, "/a b"):
        assert not is_local_path(target)
