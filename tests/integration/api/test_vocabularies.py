"""GET /api/v1/vocabularies[/NAME]: every vocabulary with both labels, cacheable, 404 in the
envelope."""

from __future__ import annotations

import pytest


@pytest.fixture
def database_url(tmp_path):
    # Vocabularies are data files, not rows: one database engine is enough here.
    return f"sqlite:///{tmp_path / 'hub.db'}"


def test_all_vocabularies_come_with_both_labels(client):
    response = client.get("/api/v1/vocabularies")
    assert response.status_code == 200
    vocabularies = {v["name"]: v for v in response.get_json()["vocabularies"]}
    assert {
        "stages",
        "grades",
        "subjects",
        "editions",
        "volumes",
        "types",
        "themes",
        "regions",
        "licenses",
    } <= set(vocabularies)
    math = next(t for t in vocabularies["subjects"]["terms"] if t["code"] == "math")
    assert math["zh"] == "数学" and math["en"] == "Mathematics" and math["national"] == "14"
    assert vocabularies["subjects"]["label"] == {"zh": "学科", "en": "Subjects"}


def test_one_vocabulary_by_name(client):
    body = client.get("/api/v1/vocabularies/regions").get_json()
    assert body["name"] == "regions"
    assert {"code": "640100", "zh": "银川市"}.items() <= body["terms"][1].items()
    assert (
        "银川市".encode() in client.get("/api/v1/vocabularies/regions").data
    )  # UTF-8, not \\u escapes


def test_one_language_gives_single_labels(client):
    body = client.get("/api/v1/vocabularies/grades?lang=en").get_json()
    assert body["label"] == "Grades"
    assert body["terms"][0]["label"] == "Grade 1" and "zh" not in body["terms"][0]


def test_an_unsupported_language_is_a_422_in_the_envelope(client):
    response = client.get("/api/v1/vocabularies/grades?lang=fr")
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "lang"


def test_an_unknown_vocabulary_is_a_404_listing_the_known_ones(client):
    response = client.get("/api/v1/vocabularies/planets")
    assert response.status_code == 404
    body = response.get_json()
    assert body["status"] == 404 and body["errors"] == []
    assert "planets" in body["message"] and "subjects" in body["message"]


def test_answers_are_cacheable_and_revalidate_with_the_etag(client):
    response = client.get("/api/v1/vocabularies/subjects")
    assert response.headers["ETag"]
    assert (
        "public" in response.headers["Cache-Control"]
        and "max-age=3600" in response.headers["Cache-Control"]
    )
    again = client.get(
        "/api/v1/vocabularies/subjects", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304 and again.data == b""
    other_language = client.get("/api/v1/vocabularies/subjects?lang=zh")
    assert other_language.headers["ETag"] != response.headers["ETag"]


def test_the_openapi_document_describes_both_paths(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert "/api/v1/vocabularies" in paths and "/api/v1/vocabularies/{name}" in paths
