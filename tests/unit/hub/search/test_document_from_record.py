"""The faster index document (one analysis pass per text, cached paths and timestamps, dates read
as the database gives them) is byte for byte the document the plain code built before."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.search import document_from_record
from hub.services.indexer import iso_seconds
from tests.integration.search import corpus
from tests.support.search_documents import reference_document, reference_isoformat

# Clause marks and what could cross them, full-width, traditional and Latin text, spaces.
PIECES = list("，。、；！？（）《》\n Σσa'.．：·-") + ["\u0301", "\u3099"]
WORDS = [
    "黄河文化",
    "沙坡头",
    "勾股定理",
    "課後練習",
    "ＡＢＣ",
    "c++",
    "第7号",
    "School life",
    "吴忠市",
]
short_texts = st.lists(st.sampled_from(PIECES + WORDS), max_size=8).map("".join)
long_texts = st.lists(st.sampled_from(PIECES + WORDS), min_size=15, max_size=60).map("".join)
texts = st.one_of(st.none(), short_texts, long_texts, st.text(max_size=70))
codes = st.sampled_from(["math", "g7", "pep", "", "研学"])
facet = st.one_of(st.none(), codes, st.lists(st.one_of(codes, st.none()), max_size=3))
dates = st.datetimes(datetime(1970, 1, 2), datetime(2100, 1, 1))
iso = st.one_of(st.none(), dates.map(reference_isoformat))

records = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["r1", "r2"]),
        "work_id": st.sampled_from([None, "r1", "w9"]),
        "title": texts,
        "description": texts,
        "keywords": st.one_of(st.none(), st.lists(st.one_of(short_texts, long_texts), max_size=4)),
        "stage": facet,
        "subjects": facet,
        "grades": facet,
        "majors": st.one_of(st.none(), st.lists(st.sampled_from(["6101", "61", "4303", "x"]))),
        "edition": facet,
        "volume": facet,
        "type": facet,
        "themes": facet,
        "region": st.sampled_from([None, "", "640302", "640000", "6403", "abc", " 640104 "]),
        "org": st.sampled_from([None, "xq", ""]),
        "license": facet,
        "source": st.sampled_from([None, "partner-hub"]),
        "visibility": st.sampled_from([None, "", "public", "region", "org"]),
        "status": st.sampled_from([None, "published"]),
        "is_latest": st.booleans(),
        "published": iso,
        "updated": iso,
        "downloads": st.one_of(st.none(), st.integers(0, 10**9)),
        "rating_avg": st.one_of(st.none(), st.floats(0, 5)),
        "rating_count": st.one_of(st.none(), st.integers(0, 10**7)),
    }
)
org_paths = st.sampled_from(["/", "/1/", "/1/4/9/", [1, 4], None])


def as_text(doc: dict) -> str:
    """As the engine receives it: key order and all."""
    return json.dumps(doc, ensure_ascii=False)


@settings(max_examples=400, deadline=None)
@given(records, org_paths, st.one_of(st.none(), long_texts))
def test_documents_are_the_ones_the_plain_code_built(record, org_path, text):
    expected = as_text(reference_document(record, org_path, text))
    assert as_text(document_from_record(record, org_path, text)) == expected
    # Again: now through the caches the first call filled.
    assert as_text(document_from_record(record, org_path, text)) == expected


def test_every_seed_record_gives_the_same_document():
    for record in corpus.records():
        path = corpus.ORG_PATHS[record["org"]]
        assert as_text(document_from_record(record, path)) == as_text(
            reference_document(record, path)
        )


@settings(max_examples=300, deadline=None)
@given(st.datetimes(datetime(1, 1, 1), datetime(9999, 12, 31)), st.sampled_from([0, 1, 2]))
def test_dates_read_as_the_database_gives_them_say_what_the_api_says(value, form):
    """SQLite gives its stored text (SQLAlchemy parsed it before); PostgreSQL a datetime."""
    expected = reference_isoformat(value)
    if form == 0:
        stored = value.isoformat(sep=" ")  # how SQLAlchemy stores a datetime in SQLite
        assert iso_seconds(stored) == reference_isoformat(datetime.fromisoformat(stored))
    elif form == 1:
        assert iso_seconds(value) == expected
    else:
        aware = value.replace(tzinfo=timezone(timedelta(hours=8)))
        assert iso_seconds(aware) == expected
    assert iso_seconds(None) is None
