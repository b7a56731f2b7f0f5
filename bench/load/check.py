"""After the load: nothing lost, nothing duplicated. The ledger (what the hub confirmed to the load
generator) is compared with the hub's database, its API, its stored bytes and its search."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import defaultdict
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from stack import METRICS_TOKEN, Stack

BACKLOG = re.compile(r"^eduhub_outbox_backlog\{[^}]*\}\s+([0-9.e+]+)", re.M)


def read_ledger(path: Path) -> dict[str, dict]:
    """Per resource id: its marker, files and the last workflow step the hub confirmed."""
    resources: dict[str, dict] = defaultdict(lambda: {"files": {}, "status": "draft"})
    bad_downloads = 0
    if not path.exists():
        return {}
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        op = entry["op"]
        if op == "bad_download":
            bad_downloads += 1
            continue
        item = resources[entry["id"]]
        if op == "create":
            item["marker"] = entry["marker"]
        elif op == "file":
            item["files"][entry["name"]] = entry["sha256"]
        elif op == "submit":
            item["status"] = "submitted"
        elif op == "publish":
            item["status"] = "published"
    resources["_bad_downloads"] = {"count": bad_downloads}
    return dict(resources)


def wait_for_outbox(stack: Stack, timeout: float = 300) -> float | None:
    """Seconds until the worker's backlog is empty, as /metrics reports it; None if it is not
    empty after `timeout`."""
    started = time.monotonic()
    headers = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    while time.monotonic() - started < timeout:
        try:
            body = requests.get(stack.base + "/metrics", headers=headers, timeout=30).text
        except requests.RequestException:
            body = ""
        if body and sum(float(v) for v in BACKLOG.findall(body)) == 0:
            return round(time.monotonic() - started, 1)
        time.sleep(2)
    return None


def check(stack: Stack, ledger: Path, admin_token: str, peer_total: int | None) -> dict:
    """Every confirmed write present once, in the confirmed state, with its bytes; every published
    one findable; the harvest's records once each."""
    resources = read_ledger(ledger)
    bad_downloads = resources.pop("_bad_downloads", {"count": 0})["count"]
    drained = wait_for_outbox(stack)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {admin_token}"
    problems: list[str] = [] if drained is not None else ["the outbox did not drain in 300 s"]
    for resource_id, item in resources.items():
        problems += check_one(stack.base, session, resource_id, item)
    problems += check_duplicates(stack, resources)
    harvested = check_harvest(stack, peer_total, problems)
    return {
        "confirmed_resources": len(resources),
        "confirmed_files": sum(len(i["files"]) for i in resources.values()),
        "published": sum(i["status"] == "published" for i in resources.values()),
        "harvested": harvested,
        "bad_downloads": bad_downloads,
        "outbox_drained_after_s": drained,
        "problems": problems[:50],
        "problem_count": len(problems),
        "lost_or_duplicated": len(problems) + bad_downloads,
    }


def check_one(base: str, session: requests.Session, resource_id: str, item: dict) -> list[str]:
    response = session.get(f"{base}/api/v1/resources/{resource_id}", timeout=30)
    if response.status_code != 200:
        return [f"{resource_id}: confirmed but answers {response.status_code}"]
    record = response.json()
    problems = []
    if record["status"] != item["status"]:
        problems.append(f"{resource_id}: status {record['status']}, confirmed {item['status']}")
    stored = {f["name"]: f["sha256"] for f in record.get("files", [])}
    for name, sha in item["files"].items():
        if stored.get(name) != sha:
            problems.append(f"{resource_id}/{name}: stored {stored.get(name)}, confirmed {sha}")
            continue
        body = session.get(f"{base}/api/v1/resources/{resource_id}/files/{name}", timeout=60)
        if hashlib.sha256(body.content).hexdigest() != sha:
            problems.append(f"{resource_id}/{name}: downloaded bytes differ from {sha}")
    if item["status"] == "published":
        found = session.get(f"{base}/api/v1/resources", params={"q": item["marker"]}, timeout=30)
        ids = [h["id"] for h in found.json().get("hits", [])] if found.ok else []
        if ids.count(resource_id) != 1:
            problems.append(f"{resource_id}: published but found {ids.count(resource_id)}x")
    return problems


def check_duplicates(stack: Stack, resources: dict) -> list[str]:
    """One row per marker in the database; a marker the ledger lacks is a write the client never
    heard confirmed (a response lost in a fault), counted but not a duplicate."""
    engine = create_engine(_database_url(stack))
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT title FROM resources WHERE is_latest AND title LIKE :p"),
            {"p": "%负载测试课件 load-%"},
        ).all()
    engine.dispose()
    counts: dict[str, int] = defaultdict(int)
    for (title,) in rows:
        counts[title.rsplit(" ", 1)[-1]] += 1
    problems = [f"marker {m}: {n} rows" for m, n in counts.items() if n > 1]
    known = {i.get("marker") for i in resources.values()}
    unconfirmed = [m for m in counts if m not in known]
    if unconfirmed:
        problems.append(f"{len(unconfirmed)} drafts the generator never saw confirmed (not lost)")
    return problems


def check_harvest(stack: Stack, peer_total: int | None, problems: list[str]) -> int | None:
    if peer_total is None:
        return None
    engine = create_engine(_database_url(stack))
    with engine.connect() as conn:
        total, distinct = conn.execute(
            text(
                "SELECT count(*), count(DISTINCT external_id) FROM resources "
                "WHERE is_latest AND source_id = (SELECT id FROM sources WHERE name = 'peer')"
            )
        ).one()
    engine.dispose()
    if total != distinct:
        problems.append(f"harvest: {total - distinct} duplicated records")
    if distinct != peer_total:
        problems.append(f"harvest: {distinct} records of the peer's {peer_total}")
    return distinct


def _database_url(stack: Stack) -> str:
    return stack.env.get("EDUHUB_DATABASE_URL") or f"sqlite:///{stack.data_dir / 'hub.db'}"
