"""The stats endpoints are in the OpenAPI document; `eduhub stats refresh` runs from the CLI."""

from __future__ import annotations

from click.testing import CliRunner

from config import default_beat_schedule
from hub.cli import main
from workers.tasks import refresh_stats


def test_openapi_lists_the_four_stats_endpoints(client):
    paths = client.get("/api/openapi.json").json["paths"]
    for name in ("overview", "usage", "coverage", "regions"):
        assert "get" in paths[f"/api/v1/stats/{name}"]
    params = {p["name"] for p in paths["/api/v1/stats/usage"]["get"]["parameters"]}
    assert {"event", "by", "from", "to", "region", "subject", "stage", "org", "source"} <= params


def test_cli_refresh_reports_what_it_folded(config, hub, monkeypatch):
    monkeypatch.setenv("EDUHUB_DATA_DIR", str(config.data_dir))
    monkeypatch.setenv("EDUHUB_DATABASE_URL", config.database_url)
    monkeypatch.setenv("EDUHUB_SECRET_KEY", config.secret_key)
    hub.usage.record("search", ip="192.0.2.1", user_agent="Mozilla/5.0")
    hub.usage.flush()
    result = CliRunner().invoke(main, ["stats", "refresh"])
    assert result.exit_code == 0, result.output
    assert "Aggregated 1 new events over 1 days" in result.output


def test_beat_runs_the_stats_refresh_task_every_few_minutes(app, hub, monkeypatch):
    monkeypatch.setattr("workers.app._hub", hub)  # the task runs on this test's hub
    entry = default_beat_schedule()["refresh-stats"]
    assert entry["task"] == refresh_stats.name and entry["schedule"] <= 600
    hub.usage.record("view", ip="192.0.2.9", user_agent="Mozilla/5.0")
    assert refresh_stats() == {"days": 1, "events": 1, "purged": 0}
