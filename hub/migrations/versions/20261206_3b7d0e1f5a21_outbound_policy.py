"""outbound policy: sources.allow_private_host, source_blobs, and no non-http(s) origin_url kept

Revision ID: 3b7d0e1f5a21
Revises: a7c3e9d1f2b4
Create Date: 2026-12-06 04:10:00
"""

from typing import Sequence, Union

import json

import sqlalchemy as sa
from alembic import op

revision: str = "3b7d0e1f5a21"
down_revision: Union[str, Sequence[str], None] = "a7c3e9d1f2b4"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(
            sa.Column("allow_private_host", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "source_blobs",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("source_id", "sha256"),
    )
    # A harvested javascript: or data: link must not stay stored, shown or re-exported.
    op.execute(
        "UPDATE resources SET origin_url = NULL WHERE origin_url IS NOT NULL"
        " AND lower(origin_url) NOT LIKE 'http://%' AND lower(origin_url) NOT LIKE 'https://%'"
    )


    _scrub_failure_headers()


def _scrub_failure_headers() -> None:
    """Failures recorded before kept each file's request headers (the peer's token): drop them."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT id, payload FROM sync_failures WHERE CAST(payload AS TEXT) LIKE :p"),
        {"p": '%"headers"%'},
    ).all()
    value_sql = "CAST(:v AS JSONB)" if bind.dialect.name == "postgresql" else ":v"
    for row_id, payload in rows:
        value = json.loads(payload) if isinstance(payload, str) else payload
        files = value.get("files") if isinstance(value, dict) else None
        if not isinstance(files, list):
            continue
        for item in files:
            if isinstance(item, dict):
                item.pop("headers", None)
        bind.execute(
            sa.text(f"UPDATE sync_failures SET payload = {value_sql} WHERE id = :i"),
            {"v": json.dumps(value, ensure_ascii=False), "i": row_id},
        )


def downgrade() -> None:
    op.drop_table("source_blobs")
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("allow_private_host")
