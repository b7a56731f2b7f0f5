"""What a new resource holds before its fields are applied: one set of defaults for every writer."""

from __future__ import annotations

from hub.services.records import LIST_FIELDS


def new_resource_defaults() -> dict:
    """Column values of a new resource (a fresh dict each call, its lists and dicts unshared).

    The id, organisation, owner, status, revision and dates are the caller's: they differ between
    an upload, an import, a new version and a harvested record."""
    return {
        "version": 1,
        "previous_id": None,
        "is_latest": True,
        "language": "zh",
        "description": "",
        "visibility": "public",
        "owner_id": None,
        "source_id": None,
        "external_id": None,
        "origin_url": None,
        "provenance": {},
        "origin_key": None,
        "work_id": None,
        "fingerprint": None,
        "review_comment": None,
        "downloads": 0,
        **{name: [] for name in LIST_FIELDS},
    }
