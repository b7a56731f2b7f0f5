"""Ids in routes: a number no database column can hold is not found, never a server error."""

from __future__ import annotations

import pytest

HUGE = "9" * 30


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", f"/api/v1/users/{HUGE}/password"),
        ("post", f"/api/v1/users/{HUGE}/actions/disable"),
        ("get", f"/api/v1/sources/{HUGE}"),
        ("delete", f"/api/v1/tokens/{HUGE}"),
        ("get", f"/api/v1/sources/{2**63}/runs"),
    ],
)
def test_an_id_too_large_for_any_column_is_not_found(client, method, path):
    assert getattr(client, method)(path, json={}).status_code == 404


def test_the_largest_64_bit_id_still_reaches_the_service(client):
    # Reaches the view (which asks for a login) instead of being refused by the route.
    assert client.get(f"/api/v1/sources/{2**63 - 1}").status_code == 401
