"""One visibility rule: Python, SQL (SQLite, PostgreSQL) and search agree (issue 9)."""

from __future__ import annotations

import io
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hub.db.models import Organisation, Resource
from hub.search import document_from_record
from hub.search.base import Scope, SearchQuery
from hub.security.principal import Principal, Role
from hub.services import permissions
from tests.factories import auth_header, make_org, make_token, make_user
from tests.integration.search.conftest import open_index
from tests.resource_factories import PDF_BYTES, valid_record

# (code, kind, parent, region): a small province with a region-less alliance beside it.
ORGS = [
    ("nx", "province", None, "640000"),
    ("yc", "city", "nx", "640100"),
    ("xq", "county", "yc", "640104"),
    ("xq-1", "school", "xq", "640104"),
    ("gy", "county", "nx", "640402"),
    ("al", "alliance", None, None),
    ("al-1", "school", "al", None),
]
REGIONS = [None, "640000", "640100", "640104", "640402"]
VISIBILITIES = ["public", "region", "org"]


@pytest.fixture(params=["tantivy", "opensearch"])
def search_index(request, tmp_path):
    """The embedded index, and the OpenSearch adapter (osmem-server) for the shared query code."""
    index, drop = open_index(request.param, tmp_path)
    index.ensure()
    yield index
    drop()


@pytest.fixture
def world(hub, search_index):
    """Every combination of visibility, region and organisation, in the database and the index."""
    for code, kind, parent, region in ORGS:
        make_org(hub, code, kind=kind, parent=parent, region=region)
    index = search_index
    with hub.db.session() as session:
        orgs = {o.code: o for o in session.scalars(select(Organisation))}
        combos = itertools.product(VISIBILITIES, REGIONS, orgs.values())
        for n, (visibility, region, org) in enumerate(combos):
            session.add(resource(f"r{n:03d}", visibility, region, org))
            record = {
                "id": f"r{n:03d}",
                "title": "课件",
                "visibility": visibility,
                "region": region,
                "org": org.code,
                "status": "published",
            }
            index.index_documents([document_from_record(record, org.path)])
        session.commit()
        roles = {o.code: (o.id, o.path, o.region) for o in orgs.values()}
    index.commit()
    return hub, index, roles


def resource(rid, visibility, region, org):
    return Resource(
        id=rid,
        lineage_id=rid,
        title="课件",
        status="published",
        visibility=visibility,
        region=region,
        org_id=org.id,
        org=org,
    )


def principals(roles):
    role = st.tuples(st.sampled_from(sorted(roles)), st.sampled_from(["teacher", "org_admin"]))
    return st.builds(
        lambda kind, held: Principal(
            user_id=None if kind == "anonymous" else 1,
            is_admin=kind == "admin",
            roles=()
            if kind == "anonymous"
            else tuple(
                Role(org_id=roles[c][0], org_path=roles[c][1], region=roles[c][2], role=r)
                for c, r in held
            ),
        ),
        st.sampled_from(["anonymous", "user", "user", "user", "admin"]),
        st.lists(role, max_size=3, unique_by=lambda t: t[0]),
    )


def readings(hub, index, actor):
    with hub.db.session() as session:
        rows = session.scalars(select(Resource)).all()
        python = {r.id for r in rows if permissions.can_see_published(actor, r)}
        query = (
            select(Resource.id)
            .join(Organisation, Resource.org_id == Organisation.id)
            .where(permissions.published_visibility_clause(actor))
        )
        sql = set(session.scalars(query))
    scope = Scope.for_principal(actor)
    pages = [index.search(SearchQuery(scope=scope, size=100, page=n)) for n in (1, 2)]
    search = {h.id for page in pages for h in page.hits}
    assert len(search) == pages[0].total
    return python, sql, search


def test_python_sql_and_search_agree(world):
    hub, index, roles = world

    @settings(max_examples=150, suppress_health_check=list(HealthCheck))
    @given(principals(roles))
    def agree(actor):
        python, sql, search = readings(hub, index, actor)
        assert python == sql == search

    agree()


def test_region_records_with_no_region_are_for_members_only(world):
    hub, index, roles = world
    stranger = Principal(user_id=9, roles=(Role(*roles["gy"], role="teacher"),))
    python, sql, search = readings(hub, index, stranger)
    with hub.db.session() as session:
        query = select(Resource.id).where(
            Resource.visibility == "region",
            Resource.region.is_(None),
            Resource.org_id != roles["gy"][0],  # the stranger's own organisation's are theirs
        )
        no_region = set(session.scalars(query))
    assert no_region and not (python | sql | search) & no_region


def test_signed_in_outsider_cannot_read_a_regionless_region_record(client, hub):
    """Against the API: a region-visible record of a region-less alliance stays with its members."""
    make_org(hub, "al", kind="alliance", region=None)
    make_org(hub, "gy", kind="county", region="640402")
    make_user(hub, "boss@al.cn", org="al", role="org_admin")
    make_user(hub, "t@gy.cn", org="gy", role="teacher")
    boss = hub.accounts.principal_for_email("boss@al.cn")
    record = hub.resources.create(boss, valid_record(visibility="region", org="al"))
    hub.files.upload(boss, record["id"], "a.pdf", _pdf(), content_length=len(PDF_BYTES))
    hub.resources.act(boss, record["id"], "submit")
    hub.resources.act(boss, record["id"], "publish", comment="好")
    outsider = auth_header(make_token(hub, "t@gy.cn"))
    member = auth_header(make_token(hub, "boss@al.cn"))
    assert client.get(f"/api/v1/resources/{record['id']}", headers=outsider).status_code == 404
    assert client.get(f"/api/v1/resources/{record['id']}", headers=member).status_code == 200


def _pdf():
    return io.BytesIO(PDF_BYTES)
