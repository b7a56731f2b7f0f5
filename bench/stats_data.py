"""Millions of usage events, records and schools made inside PostgreSQL (generate_series), fast.

Every value is a function of the row number, so a run is repeatable without a random generator:
record `r` has one stage-grade pair, subject, type and county; event `e` falls on day `e % days`,
is of record `1 + e * 2654435761 % resources` and of visitor `e * 40503 % 20000` (visitor `v` is
anonymous when `v % 10 < 3`, else of school `v % 1000`). So a day sees only 1/40 of the schools
(e and v agree modulo 40); with `spread` an event's day is a hash of `e` instead
(`e * 2246822519 % 4294967291 % days`) and every school is active every day, as a province's are:
many more rollup rows per day, and a first refresh many times longer.
"""

from __future__ import annotations

import time

from sqlalchemy import create_engine, text

COUNTIES = [
    "640104", "640105", "640106", "640121", "640122", "640181", "640202", "640205", "640221",
    "640302", "640303", "640323", "640324", "640381", "640402", "640422", "640423", "640424",
    "640425", "640502", "640521", "640522",
]  # fmt: skip
PAIRS = ["primary:g1", "primary:g3", "primary:g5", "junior:g7", "junior:g8", "senior:g10"]
SUBJECTS = ["chinese", "math", "english", "physics", "history"]
TYPES = ["courseware", "lesson-plan", "exercise", "micro-lecture"]
SCHOOLS = 1000
CHUNK = 1_000_000


def _array(values: list[str]) -> str:
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]"


# The facets of record number `r` (a column of the query the fragment is used in).
FACETS = f"""
    split_part(({_array(PAIRS)})[1 + r % {len(PAIRS)}], ':', 1) AS stage,
    jsonb_build_array(({_array(SUBJECTS)})[1 + (r / {len(PAIRS)}) % {len(SUBJECTS)}]) AS subjects,
    jsonb_build_array(split_part(({_array(PAIRS)})[1 + r % {len(PAIRS)}], ':', 2)) AS grades,
    ({_array(TYPES)})[1 + r % {len(TYPES)}] AS type,
    ({_array(COUNTIES)})[1 + r % {len(COUNTIES)}] AS region
"""

SCHOOLS_SQL = f"""
INSERT INTO organisations (code, name, kind, region, path, created)
SELECT 'bench-org-' || s, '基准学校 ' || s, 'school', ({_array(COUNTIES)})[1 + s % 22],
       '/bench-org-' || s || '/', now()
FROM generate_series(0, {SCHOOLS - 1}) s
"""

RESOURCES_SQL = f"""
INSERT INTO resources (id, lineage_id, version, is_latest, revision, status, title, description,
    language, stage, subjects, grades, type, themes, keywords, creators, region, visibility,
    org_id, provenance, downloads, created, updated, published)
SELECT id, id, 1, true, 1, 'published', '基准资源 ' || r, '', 'zh', stage, subjects, grades, type,
    '[]', '[]', '[]', region, 'public', CAST(:first_org AS int) + r % {SCHOOLS}, '{{}}', 0,
    now(), now(), now()
FROM (
    SELECT r, '00000000-0000-4000-8000-' || lpad(to_hex(r), 12, '0') AS id, {FACETS}
    FROM generate_series(CAST(:low AS int), CAST(:high AS int)) r
) g
"""

EVENTS_SQL = f"""
INSERT INTO usage_events (at, kind, resource_id, file_name, stage, subjects, grades, type,
    source, org, region, visitor_org, visitor_region, visitor_key)
SELECT date_trunc('day', now()) - d * interval '1 day' + (e * 7919 % 86400) * interval '1 second',
    kind, CASE WHEN kind = 'search' THEN NULL ELSE
        '00000000-0000-4000-8000-' || lpad(to_hex(r), 12, '0') END,
    CASE WHEN kind = 'download' THEN '课件.pdf' END,
    stage, subjects, grades, type, NULL, 'bench-org-' || r % {SCHOOLS}, region,
    CASE WHEN v % 10 >= 3 THEN 'bench-org-' || v % {SCHOOLS} END,
    CASE WHEN v % 10 >= 3 THEN ({_array(COUNTIES)})[1 + v % {SCHOOLS} % 22] END,
    md5(d || ':' || v)
FROM (
    SELECT e, d, r, v, CASE WHEN k < 40 THEN 'download' WHEN k < 75 THEN 'view'
        WHEN k < 95 THEN 'search' WHEN k < 98 THEN 'upload' ELSE 'publish' END AS kind, {FACETS}
    FROM (
        SELECT e, (DAY_OF_E % CAST(:days AS int))::int AS d,
            (1 + e * 2654435761 % CAST(:resources AS int))::int AS r,
            (e * 40503 % 20000)::int AS v, e * 31 % 100 AS k
        FROM generate_series(CAST(:low AS bigint), CAST(:high AS bigint)) e
    ) n
) g
"""
# Which day event `e` falls on, before `% days`: `e` itself, or (spread) a hash of it.
DAY_OF_E = {False: "e", True: "e * 2246822519 % 4294967291"}


def generate(
    database_url: str, events: int, resources: int, days: int, say=print, spread: bool = False
) -> dict:
    """Schools, published records and events over the last `days` days, in chunks of a million."""
    engine = create_engine(database_url)
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text(SCHOOLS_SQL))
        first = conn.scalar(text("SELECT min(id) FROM organisations WHERE code LIKE 'bench-org-%'"))
    _chunks(engine, RESOURCES_SQL, resources, {"first_org": first}, "records", say)
    made = round(time.perf_counter() - started, 1)
    params = {"days": days, "resources": resources}
    events_sql = EVENTS_SQL.replace("DAY_OF_E", DAY_OF_E[spread])
    _chunks(engine, events_sql, events, params, "events", say)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()
    return {"resources_seconds": made, "seconds": round(time.perf_counter() - started, 1)}


def _chunks(engine, sql: str, total: int, params: dict, what: str, say) -> None:
    for low in range(1, total + 1, CHUNK):
        high = min(low + CHUNK - 1, total)
        with engine.begin() as conn:
            conn.execute(text(sql), {**params, "low": low, "high": high})
        say(f"{what}: {high} of {total}")
