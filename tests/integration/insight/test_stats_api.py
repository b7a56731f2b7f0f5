"""The stats API against a fixture of real requests: exact numbers, scoping, CSV and XLSX."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest

from hub.db.models import Organisation, Resource
from hub.db.models.sources import Source, SyncRun
from hub.db.models.usage import UsageDaily, UsageEvent, UsageRollup
from hub.services import stats
from metadata.vocabularies import load_vocabularies
from tests.factories import auth_header, make_token, make_user
from tests.resource_factories import PDF_BYTES, make_world, publish

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"


@pytest.fixture
def world(hub):
    world = make_world(hub)
    make_user(hub, email="admin@example.cn", admin=True)
    make_user(hub, email="ga@example.cn", org="gy", role="org_admin")
    for name in ("admin", "ga"):
        world.tokens[name] = make_token(hub, f"{name}@example.cn")
    return world


@pytest.fixture
def used(client, hub, world):
    """Two records, four downloads by three visitors (one anonymous), one view."""
    math = publish(hub, world, region="640104")["id"]
    chinese = publish(
        hub, world, stage="primary", subjects=["chinese"], grades=["g3"], region="640104"
    )["id"]

    def get(path, who=None, **headers):
        if who:
            headers.update(auth_header(world.tokens[who]))
        response = client.get(path, headers={"User-Agent": BROWSER, **headers})
        assert response.status_code in (200, 206)

    get(f"/api/v1/resources/{math}/files/课件.pdf", "t")
    get(f"/api/v1/resources/{math}/files/课件.pdf", "t", Range="bytes=5-")
    get(f"/api/v1/resources/{math}/files/课件.pdf", "o")
    get(f"/api/v1/resources/{chinese}/files/课件.pdf", "o")
    get(f"/api/v1/resources/{chinese}/files/课件.pdf")
    get(f"/api/v1/resources/{chinese}", "t")
    hub.stats.refresh()
    return {"math": math, "chinese": chinese}


def _stats(client, world, path, who="admin", **headers):
    if who:
        headers.update(auth_header(world.tokens[who]))
    return client.get(f"/api/v1/stats/{path}", headers=headers)


def _rows(response):
    return [(r["key"], r["label"], r["count"], r["visitors"]) for r in response.json["rows"]]


def test_usage_by_org_region_subject_and_day(client, world, used):
    today = datetime.now(UTC).date().isoformat()
    by_org = _stats(client, world, "usage?event=download&by=org")
    assert by_org.status_code == 200 and by_org.json["event"] == "download"
    assert _rows(by_org) == [
        ("gy", "原州区教育局", 2, 1),
        ("xq-school-2", "银川市第二中学", 1, 1),
        ("unknown", "未知 Unknown", 1, 1),
    ]
    assert _rows(_stats(client, world, "usage?event=download&by=region")) == [
        ("640402", "原州区", 2, 1),
        ("640104", "兴庆区", 1, 1),
        ("unknown", "未知 Unknown", 1, 1),
    ]
    assert _rows(_stats(client, world, "usage?event=download&by=subject")) == [
        ("chinese", "语文", 2, 2),
        ("math", "数学", 2, 2),
    ]
    assert _rows(_stats(client, world, f"usage?event=download&by=day&from={today}")) == [
        (today, today, 4, 3)
    ]
    assert _rows(_stats(client, world, "usage?event=view&by=city")) == [("640100", "银川市", 1, 1)]
    filtered = _stats(client, world, "usage?event=download&by=org&subject=math")
    assert [(k, n) for k, _, n, _ in _rows(filtered)] == [("gy", 1), ("xq-school-2", 1)]


def test_filtered_usage_is_exact(client, world, used):
    by_stage = _stats(client, world, "usage?event=download&by=stage&region=640402")
    assert _rows(by_stage) == [("junior", "初中", 1, 1), ("primary", "小学", 1, 1)]
    assert _rows(_stats(client, world, "usage?event=download&by=grade&subject=chinese")) == [
        ("g3", "三年级", 2, 2)
    ]
    assert _rows(_stats(client, world, "usage?event=download&by=month&stage=junior")) == [
        (datetime.now(UTC).date().isoformat()[:7],) * 2 + (2, 2)
    ]
    two = _stats(client, world, "usage?event=download&by=org&subject=math&stage=junior")
    assert _rows(two) == _rows(_stats(client, world, "usage?event=download&by=org&subject=math"))


GIVEN = [{}, {"region": "640402"}, {"subject": "math"}, {"stage": "primary"}, {"source": "x"}]


def test_the_rollup_answers_every_by_and_filter_as_the_daily_rows_do(hub, used):
    end = datetime.now(UTC).date()
    start = end - timedelta(days=29)
    with hub.db.session() as session:
        for event in ("download", "view"):
            for by in stats.BY:
                for given in GIVEN:
                    rolled = session.execute(stats._from_rollup(event, by, start, end, given))
                    daily = session.execute(stats._from_daily(event, by, start, end, None, given))
                    assert hub.stats._grouped(rolled, by) == hub.stats._grouped(daily, by)


def _old_event(hub, at) -> None:
    with hub.db.session() as session:
        session.add(
            UsageEvent(at=at, kind="view", visitor_key="k-old", stage="junior", subjects=["math"])
        )
        session.commit()


def test_retention_deletes_events_and_keeps_the_rollup(client, hub, world, used):
    old = datetime.now(UTC) - timedelta(days=hub.stats.events_days + 5)
    _old_event(hub, old)
    assert hub.stats.refresh()["purged"] == 1
    day = old.date().isoformat()
    answer = _stats(client, world, f"usage?event=view&by=stage&from={day}&to={day}")
    assert _rows(answer) == [("junior", "初中", 1, 1)]
    with hub.db.session() as session:
        assert session.query(UsageEvent).filter(UsageEvent.at < old + timedelta(1)).count() == 0
        assert session.query(UsageRollup).filter(UsageRollup.day == old.date()).count() > 0


def test_a_second_refresh_folds_only_what_is_new(client, hub, world, used):
    client.get(
        f"/api/v1/resources/{used['math']}/files/课件.pdf",
        headers={"User-Agent": BROWSER + " other"},
    )
    rows = {"before": hub.db.session().query(UsageDaily).count()}
    assert hub.stats.refresh()["events"] == 1
    assert hub.stats.refresh()["events"] == 0
    assert hub.db.session().query(UsageDaily).count() == rows["before"] + 1
    today = datetime.now(UTC).date().isoformat()
    assert _rows(_stats(client, world, "usage?event=download&by=day")) == [(today, today, 5, 4)]


def test_usage_outside_the_range_is_empty_and_bad_arguments_are_400(client, world, used):
    assert _stats(client, world, "usage?event=download&by=org&to=2020-01-01").json["rows"] == []
    assert _stats(client, world, "usage?event=jump&by=org").status_code == 400
    assert _stats(client, world, "usage?event=download&by=org&from=yesterday").status_code == 400


def test_overview_is_public_and_exact(client, world, used):
    answer = _stats(client, world, "overview", who=None)
    assert answer.status_code == 200
    assert answer.json == {
        "resources": {
            "published": 2,
            "works": 2,
            "local": 2,
            "harvested": 0,
            "by_source": [{"key": "local", "label": "本省资源 Local", "count": 2}],
        },
        "files": {"count": 2, "bytes": 2 * len(PDF_BYTES)},
        "downloads": {"total": 4, "last_30_days": 4},
        "views": {"total": 1, "last_30_days": 1},
        "active": {"teachers_30_days": 2, "contributors_30_days": 0},
        "orgs": {"schools": 2, "schools_with_published": 1},
        "sync": {"sources": 0, "failing": 0},
    }


def test_anonymous_sees_only_the_overview_and_teachers_nothing(client, world, used):
    for path in ("usage?event=download&by=org", "coverage", "regions"):
        anonymous = _stats(client, world, path, who=None)
        assert anonymous.status_code == 401 and "message" in anonymous.json
        assert _stats(client, world, path, who="t").status_code == 403


def test_an_org_admin_sees_only_its_subtree(client, world, used):
    assert _rows(_stats(client, world, "usage?event=download&by=org", who="ga")) == [
        ("gy", "原州区教育局", 2, 1)
    ]
    county = _stats(client, world, "usage?event=download&by=org", who="cr")
    assert sum(r["count"] for r in county.json["rows"]) == 4  # every download was of xq's records
    regions = {r["code"]: r for r in _stats(client, world, "regions", who="ga").json["rows"]}
    assert regions["640104"]["published"] == 0 and regions["640402"]["downloads_30_days"] == 2


def test_regions_lists_the_22_counties_with_flags_and_figures(client, world, used):
    rows = _stats(client, world, "regions").json["rows"]
    assert len(rows) == 22
    by_code = {r["code"]: r for r in rows}
    assert by_code["640104"] == {
        "code": "640104",
        "name": "兴庆区",
        "city": "银川市",
        "rural": False,
        "southern_mountain": False,
        "resettlement": False,
        "schools": 2,
        "contributors": 1,
        "published": 2,
        "downloads_30_days": 1,
        "active_teachers_30_days": 1,
        "downloads_per_teacher": 1.0,
    }
    yuanzhou = by_code["640402"]
    assert yuanzhou["southern_mountain"] is True
    assert (yuanzhou["downloads_30_days"], yuanzhou["downloads_per_teacher"]) == (2, 2.0)
    assert by_code["640303"]["resettlement"] is True
    assert by_code["640522"]["downloads_per_teacher"] is None


def _valid_combinations() -> set[tuple]:
    vocab = load_vocabularies()
    combos = set()
    for subject in vocab.get("subjects"):
        for stage in subject.get("stages") or ():
            grades = [g.code for g in vocab.get("grades") if g.get("stage") == stage] or [None]
            combos |= {(stage, subject.code, grade) for grade in grades}
    return combos


def test_coverage_is_the_vocabulary_grid_with_local_counts(client, world, used):
    answer = _stats(client, world, "coverage?by=stage,subject,grade").json
    grid = {(r["stage"], r["subject"], r["grade"]): r for r in answer["rows"]}
    assert set(grid) == _valid_combinations() and len(grid) == len(answer["rows"])
    assert answer["national_synced_at"] is None
    assert grid[("junior", "math", "g7")] == {
        "stage": "junior",
        "subject": "math",
        "grade": "g7",
        "local": 1,
        "national": None,
        "gap": False,
    }
    assert grid[("primary", "chinese", "g3")]["local"] == 1
    assert sum(r["gap"] for r in answer["rows"]) == len(grid) - 2
    stricter = _stats(client, world, "coverage?min=2&stage=junior&subject=math").json["rows"]
    assert {r["stage"] for r in stricter} == {"junior"} and all(r["gap"] for r in stricter)
    assert _stats(client, world, "coverage?by=stage,colour").status_code == 400


def _harvest_national(hub) -> None:
    """What a national sync leaves: a source, a finished run, a harvested published record."""
    with hub.db.session() as session:
        org = session.query(Organisation).filter_by(code="xq").one()
        source = Source(
            name="national", kind="national", url="https://basic.smartedu.cn", org_id=org.id
        )
        session.add(source)
        session.flush()
        finished = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
        session.add(SyncRun(source_id=source.id, status="succeeded", finished_at=finished))
        session.add(
            Resource(
                id="n-1",
                lineage_id="n-1",
                title="国家平台·有理数",
                status="published",
                stage="junior",
                subjects=["math"],
                grades=["g7"],
                org_id=org.id,
                source_id=source.id,
                external_id="x1",
                published=finished,
            )
        )
        session.commit()
    hub.stats.refresh()  # coverage is counted by the refresh


def test_coverage_counts_national_records_once_a_national_source_synced(client, hub, world, used):
    _harvest_national(hub)
    answer = _stats(client, world, "coverage").json
    grid = {(r["stage"], r["subject"], r["grade"]): r for r in answer["rows"]}
    assert answer["national_synced_at"].startswith("2026-12-01T03:00")
    assert (
        grid[("junior", "math", "g7")]["local"],
        grid[("junior", "math", "g7")]["national"],
    ) == (
        1,
        1,
    )
    assert grid[("junior", "math", "g8")]["national"] == 0
    overview = _stats(client, world, "overview", who=None).json["resources"]
    assert (overview["local"], overview["harvested"]) == (2, 1)


def test_csv_and_xlsx_downloads_have_chinese_headings(client, world, used):
    answer = _stats(client, world, "usage?event=download&by=org&format=csv")
    assert answer.headers["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0] == ["代码", "名称", "次数", "访客数"]
    assert table[1:] == [
        ["gy", "原州区教育局", "2", "1"],
        ["xq-school-2", "银川市第二中学", "1", "1"],
        ["unknown", "未知 Unknown", "1", "1"],
    ]
    accepted = _stats(client, world, "regions", Accept="text/csv").get_data(as_text=True)
    assert "区划代码" in accepted.splitlines()[0] and len(accepted.splitlines()) == 23
    book = openpyxl.load_workbook(
        io.BytesIO(_stats(client, world, "coverage?format=xlsx").data), read_only=True
    )
    sheet = list(book.active.iter_rows(values_only=True))
    assert sheet[0] == ("学段", "学科", "年级", "本省资源数", "国家平台资源数", "缺口")
    assert len(sheet) - 1 == len(_valid_combinations())
