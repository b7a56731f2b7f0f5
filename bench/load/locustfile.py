"""A county's day of traffic for Locust: teachers search, open and download (resuming with Range),
contributors upload and submit, reviewers publish, an operator runs the harvest, the province
reads the insight figures. Every write is written to a ledger (JSON lines) that check.py compares
with the hub after the run.

Settings come from the environment: LOAD_ACCOUNTS (a JSON file of tokens by role, written by
run.py) and LOAD_LEDGER (the ledger path).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import threading
import uuid
from collections import deque

from locust import HttpUser, LoadTestShape, between, events, task

with open(os.environ["LOAD_ACCOUNTS"], encoding="utf-8") as _accounts:
    ACCOUNTS = json.load(_accounts)
LEDGER_PATH = os.environ["LOAD_LEDGER"]
ERRORS_PATH = os.environ.get("LOAD_ERRORS")  # every 5xx with its time and message, for run.py
WORDS = [
    "勾股定理",
    "有理数",
    "黄河",
    "光合作用",
    "古诗",
    "函数",
    "英语 阅读",
    "物理 实验",
    "红色文化",
]
FILTERS = [
    {"stage": "junior"},
    {"stage": "primary", "subject": "chinese"},
    {"stage": "junior", "subject": "math", "grade": "g8", "type": "courseware"},
]

_ledger_lock = threading.Lock()
_submitted: deque[str] = deque(maxlen=10_000)  # drafts waiting for a reviewer, across users
# id and files of what teachers may download: the harvested records with files, then the
# published uploads as reviewers publish them
_published: list[dict] = list(ACCOUNTS.get("downloads", []))


def ledger(entry: dict) -> None:
    """One line per effect the hub confirmed; written at once, so a crash loses nothing before."""
    line = json.dumps(entry, ensure_ascii=False) + "\n"
    with _ledger_lock, open(LEDGER_PATH, "a", encoding="utf-8") as out:
        out.write(line)


@events.request.add_listener
def note_5xx(name, response=None, start_time=None, **_):
    """A 5xx with when it came and what the hub said, so run.py can give each one its cause."""
    if not ERRORS_PATH or response is None or response.status_code < 500:
        return
    try:
        message = response.json().get("message", "")
    except ValueError:
        message = response.text[:300]
    line = {"t": start_time, "name": name, "status": response.status_code, "message": message}
    with _ledger_lock, open(ERRORS_PATH, "a", encoding="utf-8") as out:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")


def bearer(role: str) -> dict:
    return {"Authorization": f"Bearer {random.choice(ACCOUNTS[role])}"}


def remember_hits(hits: list[dict]) -> None:
    for hit in hits:
        if hit.get("files") and len(_published) < 5_000:
            _published.append({"id": hit["id"], "files": hit["files"]})


class Teacher(HttpUser):
    """Most of the traffic: anonymous or signed-in teachers."""

    weight = 20
    wait_time = between(1, 4)

    def on_start(self) -> None:
        if not _published:
            response = self.client.get("/api/v1/resources?size=100", name="search")
            if response.ok:
                remember_hits(response.json()["hits"])

    @task(6)
    def search(self) -> None:
        params = {"q": random.choice(WORDS)}
        if random.random() < 0.4:
            params.update(random.choice(FILTERS))
        response = self.client.get("/api/v1/resources", params=params, name="search")
        if response.ok:
            remember_hits(response.json()["hits"][:5])

    @task(2)
    def browse_page(self) -> None:
        self.client.get("/", params={"q": random.choice(WORDS)}, name="/ (search page)")

    @task(3)
    def open_resource(self) -> None:
        if _published:
            item = random.choice(_published)
            self.client.get(f"/r/{item['id']}", name="/r/[id]")
            self.client.get(f"/api/v1/resources/{item['id']}", name="/api/v1/resources/[id]")

    @task(2)
    def download_resumed(self) -> None:
        """A weak link: the first half, a break, then the rest with Range; the bytes must add up."""
        if not _published:
            return
        item = random.choice(_published)
        file = random.choice(item["files"])
        url = f"/api/v1/resources/{item['id']}/files/{file['name']}"
        half = max(1, file["size"] // 2)
        parts = []
        for first, last in ((0, half - 1), (half, "")):
            with self.client.get(
                url,
                headers={"Range": f"bytes={first}-{last}"},
                name="download (Range)",
                catch_response=True,
            ) as response:
                if response.status_code not in (200, 206):
                    response.failure(f"status {response.status_code}")
                    return
                parts.append(response.content)
                if response.status_code == 200:  # the whole file at once: nothing to resume
                    parts = [response.content]
                    break
        digest = hashlib.sha256(b"".join(parts)).hexdigest()
        if digest != file["sha256"]:
            ledger({"op": "bad_download", "id": item["id"], "file": file["name"]})


class Contributor(HttpUser):
    """An alliance member: a draft, one file, submitted."""

    weight = 3
    wait_time = between(5, 15)

    @task
    def upload_and_submit(self) -> None:
        headers = bearer("contributor")
        marker = f"load-{uuid.uuid4().hex[:12]}"
        record = draft(marker)
        response = self.client.post(
            "/api/v1/resources", json=record, headers=headers, name="create draft"
        )
        if response.status_code != 201:
            return
        resource_id = response.json()["id"]
        ledger({"op": "create", "id": resource_id, "marker": marker})
        response = self.client.put(
            f"/api/v1/resources/{resource_id}/files/lesson.pdf",
            data=pdf(random.randint(20_000, 400_000)),
            headers={**headers, "Content-Type": "application/pdf"},
            name="upload file",
        )
        if response.status_code != 201:
            return
        ledger({"op": "file", "id": resource_id, **response.json()})
        response = self.client.post(
            f"/api/v1/resources/{resource_id}/actions/submit",
            json={},
            headers=headers,
            name="submit",
        )
        if response.ok:
            ledger({"op": "submit", "id": resource_id})
            _submitted.append(resource_id)


class Reviewer(HttpUser):
    """Publishes what was submitted."""

    fixed_count = 1
    wait_time = between(3, 8)

    @task
    def publish(self) -> None:
        if not _submitted:
            return
        resource_id = _submitted.popleft()
        response = self.client.post(
            f"/api/v1/resources/{resource_id}/actions/publish",
            json={"comment": "负载测试通过"},
            headers=bearer("reviewer"),
            name="publish",
        )
        if response.ok:
            ledger({"op": "publish", "id": resource_id})
            record = response.json()
            if record.get("files"):
                _published.append({"id": resource_id, "files": record["files"]})


class Province(HttpUser):
    """The insight figures, and the operator who starts the harvest now and then."""

    fixed_count = 1
    wait_time = between(10, 30)

    @task(5)
    def insight(self) -> None:
        headers = bearer("admin")
        self.client.get("/api/v1/stats/overview", headers=headers, name="stats/overview")
        self.client.get(
            "/api/v1/stats/usage",
            params={"event": "download", "by": random.choice(["day", "region", "subject"])},
            headers=headers,
            name="stats/usage",
        )
        self.client.get("/api/v1/stats/coverage", headers=headers, name="stats/coverage")
        self.client.get("/api/v1/stats/regions", headers=headers, name="stats/regions")

    @task(1)
    def harvest(self) -> None:
        source = ACCOUNTS.get("source_id")
        if not source:
            return
        with self.client.post(
            f"/api/v1/sources/{source}/sync",
            json={},
            headers=bearer("admin"),
            name="start harvest",
            catch_response=True,
        ) as response:
            # 409: a harvest of this source (beat's, or the last one started here) is still
            # running; the operator is told so and nothing starts twice, which is the right answer.
            if response.status_code == 409:
                response.success()


def pdf(size: int) -> bytes:
    """A one-page PDF that carries `size` random bytes in an unused stream: unique bytes each time,
    and a file the preview worker renders in a moment, as a teacher's PDF would be."""
    filler = os.urandom(size)
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
        + f"4 0 obj<</Length {size}>>stream\n".encode()
        + filler
        + b"\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def draft(marker: str) -> dict:
    """A valid junior-maths courseware record that carries the run's marker as a keyword."""
    chapter = random.choice(["勾股定理", "一次函数", "全等三角形", "数据的分析"])
    return {
        "title": f"八年级数学《{chapter}》负载测试课件 {marker}",
        "description": "负载测试生成的课件，用于核对不丢失、不重复。",
        "stage": "junior",
        "subjects": ["math"],
        "grades": ["g8"],
        "edition": "pep",
        "volume": "vol1",
        "type": "courseware",
        "themes": [],
        "keywords": [marker],
        "license": "CC-BY-4.0",
        "visibility": "public",
    }


if os.environ.get("LOAD_STEP_USERS"):

    class StepLoad(LoadTestShape):
        """The saturation search: LOAD_STEP_USERS more users every LOAD_STEP_SECONDS, up to 40
        steps or LOAD_SECONDS; run.py reads where p95 passed 200 ms from the history."""

        step_users = int(os.environ["LOAD_STEP_USERS"])
        step_seconds = int(os.environ.get("LOAD_STEP_SECONDS", "60"))
        seconds = float(os.environ.get("LOAD_SECONDS", str(40 * step_seconds)))

        def tick(self):
            step = int(self.get_run_time() // self.step_seconds) + 1
            if step > 40 or self.get_run_time() >= self.seconds:
                return None
            return step * self.step_users, self.step_users
