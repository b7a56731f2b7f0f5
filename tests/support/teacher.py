"""Helpers for the teacher features' tests: a colleague at the contributor's school, resources of
each visibility, and a check that a ZIP is a valid signed bundle."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import delete

from hub.bundles import format as fmt
from hub.bundles import signing
from hub.db.models import OutboxMessage
from hub.tasks import Topic
from tests.factories import make_token, make_user
from tests.resource_factories import publish


def add_colleague(hub, world, email: str = "t1@example.cn") -> str:
    """A teacher at xq-school-1 (the contributor's school); returns their token."""
    make_user(hub, email=email, org="xq-school-1", role="teacher")
    world.tokens[email.split("@")[0]] = make_token(hub, email)
    return world.tokens[email.split("@")[0]]


def publish_three(hub, world) -> list[dict]:
    """Three published public resources, as a lesson's courseware, plan and exercises."""
    return [
        publish(hub, world, title=f"有理数的加法 {kind}", type=kind)
        for kind in ("courseware", "lesson-plan", "exercise")
    ]


def bundle_records(data: bytes, hub) -> list[dict]:
    """The records of a bundle ZIP after checking its signature with the hub's own key."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = archive.read(fmt.MANIFEST)
        signature = archive.read(fmt.SIGNATURE)
        key = signing.own_public_key(hub.config.data_dir)
        signing.verify(manifest, signature, {key})
        doc = json.loads(manifest)
        for entry in doc["files"]:
            assert archive.getinfo(entry["path"]).file_size == entry["size"]
        return doc["records"]


def index_now(hub) -> None:
    """What the worker does after the commits, less previews and text extraction (seconds of
    sandboxed work per file, and nothing these tests look at): the index messages."""
    with hub.db.session() as session:
        session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.topic.in_((Topic.FILE_PREVIEW, Topic.FILE_EXTRACT))
            )
        )
        session.commit()
    hub.outbox.process()


def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'hub.db'}"
