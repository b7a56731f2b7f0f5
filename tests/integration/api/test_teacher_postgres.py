"""The teacher features' rules whose SQL differs by engine, on PostgreSQL: shared collections'
visibility, the rating average through the index, co-downloads and co-membership."""

from __future__ import annotations

import uuid

import pytest

from tests.integration.api.test_collections_api import (  # noqa: F401  (tests and fixtures)
    test_a_collection_shared_in_the_school_is_seen_by_a_colleague_not_another_county,
    test_reorder_needs_the_revision_read_and_every_item_once,
    three,
)
from tests.integration.api.test_related_api import (  # noqa: F401
    related_world,
    test_teachers_who_downloaded_this_also_downloaded_needs_two_visitors,
    test_without_downloads_shared_collections_stand_in_but_private_ones_do_not,
)
from tests.integration.api.test_social_api import (  # noqa: F401
    social_world,
    test_a_rating_is_one_per_teacher_and_averaged,
    test_pre_moderation_waits_for_a_reviewer_before_anyone_sees_it,
    test_the_rating_sort_follows_ratings_through_the_index,
)
from tests.support.teacher import add_colleague


@pytest.fixture(params=[pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request):
    from tests.support import postgres

    server = request.getfixturevalue("postgres_server")
    name = f"eduhub_test_{uuid.uuid4().hex[:12]}"
    url = postgres.create_database(server, name, with_schema=True)
    yield url
    postgres.drop_database(server, name)


@pytest.fixture
def world(request, hub):
    """Each imported test's own world: the related lessons, or the social one with a colleague."""
    if request.node.function.__module__.endswith("test_related_api"):
        return related_world(hub)
    world = social_world(hub)
    add_colleague(hub, world)
    return world
