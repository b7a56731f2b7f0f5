"""usage rollup lookup index covers the answer: key, count and visitors read from the index alone

Revision ID: f3c1d8e2a704
Revises: d5f2a7c3e914
Create Date: 2026-12-06 11:10:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "f3c1d8e2a704"
down_revision: str | Sequence[str] | None = "d5f2a7c3e914"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOOKUP = ["kind", "given", "given_key", "by", "day"]


def upgrade() -> None:
    # On PostgreSQL a `/stats/usage` question (kind, filter, dimension, days) is one range of this
    # index, answered by an index-only scan; SQLite ignores INCLUDE.
    op.drop_index("ix_usage_rollup_lookup", table_name="usage_rollup")
    op.create_index(
        "ix_usage_rollup_lookup",
        "usage_rollup",
        LOOKUP,
        postgresql_include=["key", "count", "visitors"],
    )


def downgrade() -> None:
    op.drop_index("ix_usage_rollup_lookup", table_name="usage_rollup")
    op.create_index("ix_usage_rollup_lookup", "usage_rollup", LOOKUP)
