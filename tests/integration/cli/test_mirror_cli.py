"""`eduhub sources add --kind hub --filter --window --rate`, `sources list`, `sources fill`."""

from __future__ import annotations

import pytest

from tests.support.mirrors import Parent, ParentFile, pdf


@pytest.fixture
def parent():
    parent = Parent(delay=0)
    parent.add("r1", "primary", ParentFile("a.pdf", pdf(64 * 1024)))
    parent.add("r2", "junior", ParentFile("b.pdf", pdf(1024)))
    parent.start()
    yield parent
    parent.kill()


def add(eduhub, url, *mirror):
    base = ("sources", "add", "--name", "county", "--kind", "hub", "--url", url)
    return eduhub(*base, "--allow-private-host", *mirror)


def test_a_mirror_is_added_synced_filled_and_listed_with_what_is_left(eduhub, parent):
    added = add(eduhub, parent.url, "--filter", "stage=primary", "--window", "22:00-06:00",
                "--rate", "2MB/s")  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "mirror of stage=primary; files fetched 22:00-06:00 (Asia/Shanghai) at 2MB/s" in (
        added.output
    )
    assert eduhub("sync", "county", "--inline").exit_code == 0
    listed = eduhub("sources", "list").output
    assert "mirror 22:00-06:00 2MB/s: 0 files here, 1 pending (64.0 KB left), 0 failed" in listed
    assert parent.file_requests() == []

    filled = eduhub("sources", "fill", "county", "--ignore-window")
    assert filled.output.startswith("done: 1 fetched, 0 failed"), filled.output
    assert "1 files here, 0 pending (0 B left)" in eduhub("sources", "list").output


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (("--window", "10pm-6am"), "22:00-06:00"),
        (("--rate", "fast"), "2MB/s"),
        (("--filter", "org=nx"), "name=value"),
        (("--window", "22:00-06:00", "--timezone", "Nowhere/City"), "Asia/Shanghai"),
    ],
)
def test_a_mirror_option_that_does_not_read_creates_nothing_and_says_why(eduhub, options, said):
    refused = add(eduhub, "http://127.0.0.1:9", *options)
    assert refused.exit_code != 0
    assert said in refused.output
    assert "county" not in eduhub("sources", "list").output


def test_only_a_hub_source_can_be_a_mirror(eduhub):
    base = ("sources", "add", "--name", "oai", "--kind", "oaipmh", "--url", "http://127.0.0.1:9/")
    refused = eduhub(*base, "--allow-private-host", "--window", "22:00-06:00")
    assert refused.exit_code != 0 and "hub source" in refused.output


def test_set_turns_a_hub_source_into_a_mirror_and_changes_its_window(eduhub, parent):
    assert add(eduhub, parent.url).exit_code == 0
    assert "\tmirror" not in eduhub("sources", "list").output
    changed = eduhub("sources", "set", "county", "--window", "23:00-05:00", "--rate", "0")
    assert changed.exit_code == 0, changed.output
    assert "mirror 23:00-05:00 unlimited" in eduhub("sources", "list").output
    assert "any hour" in eduhub("sources", "set", "county", "--window", "").output
