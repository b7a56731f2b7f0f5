"""Hubs for bundle tests (SQLite, file storage, memory search), filled with real small files."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from sqlalchemy import create_engine, func, select

from config import Config
from hub.bootstrap import Hub, bootstrap
from hub.db import Base
from hub.services.bulk import BulkImporter
from tests.resource_factories import PDF_BYTES, valid_record

TOPICS = (  # title, keywords, stage, subject, grade
    ("《光合作用》探究实验课件", ["光合作用", "叶绿体"], "junior", "biology", "g7"),
    ("有理数的加法教学设计", ["有理数", "加法"], "junior", "math", "g7"),
    ("黄河文化与宁夏平原", ["黄河", "地理"], "junior", "geography", "g8"),
    ("古诗词鉴赏：《静夜思》", ["古诗", "李白"], "primary", "chinese", "g3"),
    ("牛顿第一定律微课", ["惯性", "力学"], "junior", "physics", "g8"),
)


def hub_config(data_dir: Path, **overrides) -> Config:
    data_dir.mkdir(parents=True, exist_ok=True)
    values = dict(
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'hub.db'}",
        storage_url=f"file://{data_dir / 'objects'}",
        search_url="memory://",
        broker_url="memory://",
        secret_key="bundle-test-secret",
        testing=True,
    )
    return Config.from_env(**(values | overrides))


def make_hub(data_dir: Path, **overrides) -> Hub:
    """A hub with its schema created and its outbox recorded instead of waking a worker."""
    config = hub_config(data_dir, **overrides)
    engine = create_engine(config.database_url)
    Base.metadata.create_all(engine)
    engine.dispose()
    hub = bootstrap(config)
    return hub


def fill(hub: Hub, work: Path, count: int = 50) -> None:
    """`count` published records with real files: a PDF each, and one MP3 shared by every fifth."""
    from hub.db.models import Organisation

    with hub.db.session() as session:
        org = Organisation(code="nx", name="宁夏教育厅", kind="province", region="640000", path="/")
        session.add(org)
        session.flush()
        org.path = f"/{org.id}/"
        session.commit()
    mp3 = (resources.files("hub.demo") / "assets" / "reading.mp3").read_bytes()
    (work / "reading.mp3").write_bytes(mp3)
    lines = []
    for i in range(count):
        title, keywords, stage, subject, grade = TOPICS[i % len(TOPICS)]
        pdf = work / f"r{i}.pdf"
        pdf.write_bytes(PDF_BYTES + f"% resource {i}\n".encode())
        files = [{"name": f"第{i}课 {title[:6]}.pdf", "path": pdf.name}]
        if i % 5 == 0:
            files.append({"name": "课文朗读.mp3", "path": "reading.mp3"})
        record = valid_record(
            title=f"{title}（第{i}号）",
            keywords=keywords,
            stage=stage,
            subjects=[subject],
            grades=[grade],
            files=files,
        )
        lines.append(json.dumps(record, ensure_ascii=False))
    (work / "records.jsonl").write_text("\n".join(lines), encoding="utf-8")
    report = BulkImporter(hub, org="nx", publish=True).run(work / "records.jsonl")
    assert report.failed == 0, report.errors


def hub_state(hub: Hub) -> dict:
    """What an import could change: every table's row count and the object store's listing."""
    counts = {}
    with hub.db.session() as session:
        for table in Base.metadata.sorted_tables:
            counts[table.name] = session.scalar(select(func.count()).select_from(table))
    return {"rows": counts, "objects": sorted(hub.storage.iter_keys())}


COMPARED = (
    "title",
    "description",
    "language",
    "stage",
    "subjects",
    "grades",
    "edition",
    "volume",
    "chapter",
    "type",
    "themes",
    "keywords",
    "license",
    "creators",
    "region",
    "visibility",
    "status",
    "published",
)


def records_by_origin(hub: Hub) -> dict[str, dict]:
    """Each record's compared fields and files, keyed by its id at its origin hub."""
    from hub.db.models import Resource

    out = {}
    with hub.db.session() as session:
        for resource in session.scalars(select(Resource)).unique():
            record = hub.resources.serialize(resource, session)
            key = resource.external_id or resource.id
            out[key] = {f: record[f] for f in COMPARED} | {
                "files": sorted((f["name"], f["sha256"], f["size"]) for f in record["files"])
            }
    return out


def rewrite(source: Path, out: Path, *, change=None, drop=(), add=(), key=None) -> Path:
    """A copy of bundle `source` with entries changed (`change(name, body) -> body`), dropped
    or added (`add`: ZipInfo or name, body); with `key`, manifest.sig is signed again."""
    import zipfile

    from hub.bundles import signing

    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w") as dst:
        manifest = None
        for info in src.infolist():
            if info.filename in drop or (key is not None and info.filename == "manifest.sig"):
                continue
            body = src.read(info)
            if change is not None:
                body = change(info.filename, body)
            if info.filename == "manifest.json":
                manifest = body
            dst.writestr(info, body)
        if key is not None:
            dst.writestr("manifest.sig", signing.sign(key, manifest))
        for info, body in add:
            dst.writestr(info, body)
    return out
