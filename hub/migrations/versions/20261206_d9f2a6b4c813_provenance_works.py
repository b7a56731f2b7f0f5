"""provenance and works: first origin key, work links, further paths, duplicate decisions

Revision ID: d9f2a6b4c813
Revises: d2f9a4c6e1b8
Create Date: 2026-12-06 07:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "d9f2a6b4c813"
down_revision: str | Sequence[str] | None = "d2f9a4c6e1b8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("resources") as batch:
        batch.add_column(sa.Column("origin_key", sa.String(600), nullable=True))
        batch.add_column(sa.Column("work_id", sa.String(36), nullable=True))
        batch.add_column(sa.Column("fingerprint", sa.String(64), nullable=True))
        batch.create_index("ix_resources_origin_key", ["origin_key"])
        batch.create_index("ix_resources_work_id", ["work_id"])
        batch.create_index("ix_resources_fingerprint", ["fingerprint"])
    op.create_table(
        "resource_paths",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "resource_id",
            sa.String(36),
            sa.ForeignKey("resources.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(500), nullable=False),
        sa.Column("origin_url", sa.String(2000), nullable=True),
        sa.Column("via", JSON, nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("source_id", "external_id", name="uq_resource_paths_source_external"),
    )
    op.create_index("ix_resource_paths_resource_id", "resource_paths", ["resource_id"])
    op.create_table(
        "work_decisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("first_id", sa.String(36), nullable=False),
        sa.Column("second_id", sa.String(36), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("previous_work_id", sa.String(36), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("first_id", "second_id", name="uq_work_decisions_pair"),
    )
    op.create_index("ix_work_decisions_first_id", "work_decisions", ["first_id"])
    op.create_index("ix_work_decisions_second_id", "work_decisions", ["second_id"])


def downgrade() -> None:
    op.drop_table("work_decisions")
    op.drop_table("resource_paths")
    with op.batch_alter_table("resources") as batch:
        batch.drop_index("ix_resources_fingerprint")
        batch.drop_index("ix_resources_work_id")
        batch.drop_index("ix_resources_origin_key")
        batch.drop_column("fingerprint")
        batch.drop_column("work_id")
        batch.drop_column("origin_key")
