"""Entry-path checks (a name unpacking outside its folder is refused), the manifest's shape."""

from __future__ import annotations

import posixpath
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import ValidationError

from hub.bundles import format as fmt

SEGMENT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="/"), min_size=0, max_size=8
) | st.sampled_from(["..", ".", "", "C:", "c:", "\\..", "..\\x"])
NAMES = st.lists(SEGMENT, min_size=1, max_size=6).map("/".join) | st.text(max_size=40)


def unpacks_inside(name: str) -> bool:
    """Whether a ZIP tool on Windows or Unix would put `name` inside the folder it unpacks into."""
    for candidate in (name, name.replace("\\", "/")):
        if candidate.startswith("/") or (len(candidate) > 1 and candidate[1] == ":"):
            return False
        normal = posixpath.normpath("root/" + candidate)
        if not normal.startswith("root/"):
            return False
    return True


@given(NAMES)
def test_every_accepted_name_stays_inside_the_folder_on_every_system(name):
    if fmt.unsafe_path_reason(name) is None:
        assert unpacks_inside(name)
        assert "\\" not in name and "\x00" not in name and ":" not in name
        assert all(part not in ("", ".", "..") for part in name.rstrip("/").split("/"))


@given(
    st.lists(
        st.text(alphabet="abcdef0123456789_-.中文", min_size=1, max_size=8), min_size=1, max_size=5
    )
)
def test_plain_relative_names_are_accepted(parts):
    name = "/".join(parts)
    expected = all(p not in (".", "..") for p in parts)
    assert (fmt.unsafe_path_reason(name) is None) == expected


@pytest.mark.parametrize(
    "name",
    [
        "../x",
        "a/../../x",
        "/etc/passwd",
        "C:/Windows/x",
        "c:x",
        "a\\..\\x",
        "a//b",
        "./a",
        "a\x00b",
    ],
)
def test_escaping_names_are_refused(name):
    assert fmt.unsafe_path_reason(name) is not None


def test_a_symlink_entry_is_recognised_by_its_unix_mode():
    link, plain = zipfile.ZipInfo("a"), zipfile.ZipInfo("b")
    link.external_attr = 0o120777 << 16
    plain.external_attr = 0o100644 << 16
    assert fmt.is_symlink(link) and not fmt.is_symlink(plain)


def manifest(**overrides):
    sha = "a" * 64
    data = {
        "format": "eduhub-bundle",
        "version": 1,
        "created": "2026-12-06T00:00:00Z",
        "hub": {"name": "宁夏", "url": "https://res.nx.example.cn"},
        "query": {},
        "records": [
            {"id": "r1", "title": "课件", "files": [{"name": "a.pdf", "sha256": sha, "size": 3}]}
        ],
        "files": [{"sha256": sha, "size": 3, "path": fmt.file_path(sha)}],
    }
    return data | overrides


def test_a_well_formed_manifest_loads():
    assert fmt.check_manifest(manifest())["records"][0]["id"] == "r1"


@pytest.mark.parametrize(
    "overrides",
    [
        {"version": 2},
        {"format": "something-else"},
        {"records": {"a": 1}},
        {"files": [{"sha256": "a" * 64, "size": 3, "path": "../../etc/passwd"}]},
        {"files": [{"sha256": "A" * 64, "size": 3, "path": "files/AA/" + "A" * 64}]},
        {"files": []},  # a record names a file that is not listed
        {"hub": {"name": "x", "url": "javascript:alert(1)"}},
    ],
)
def test_a_manifest_of_the_wrong_shape_is_refused(overrides):
    with pytest.raises(ValidationError):
        fmt.check_manifest(manifest(**overrides))
