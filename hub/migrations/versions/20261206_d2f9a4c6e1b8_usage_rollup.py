"""usage rollup and catalogue counts: small tables the stats answer from, kept by the refresh

Revision ID: d2f9a4c6e1b8
Revises: e5a7c3d9b184
Create Date: 2026-12-06 07:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d2f9a4c6e1b8"
down_revision: str | Sequence[str] | None = "e5a7c3d9b184"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "usage_rollup",
        sa.Column("id", BIGID, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("given", sa.String(length=16), nullable=False),
        sa.Column("given_key", sa.String(length=200), nullable=False),
        sa.Column("by", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("visitors", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "catalogue_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=12), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("files", sa.BigInteger(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_catalogue_counts_org_id", "catalogue_counts", ["org_id"], unique=False)
    op.create_index("ix_usage_rollup_day", "usage_rollup", ["day"], unique=False)
    op.create_index(
        "ix_usage_rollup_lookup",
        "usage_rollup",
        ["kind", "given", "given_key", "by", "day"],
        unique=False,
    )
    op.create_index(
        "ix_usage_daily_visitor_org_day", "usage_daily", ["visitor_org", "day"], unique=False
    )
    op.create_index("ix_usage_daily_org_day", "usage_daily", ["org", "day"], unique=False)
    op.create_index("ix_usage_daily_day", "usage_daily", ["day"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_usage_daily_day", table_name="usage_daily")
    op.drop_index("ix_usage_daily_org_day", table_name="usage_daily")
    op.drop_index("ix_usage_daily_visitor_org_day", table_name="usage_daily")
    op.drop_index("ix_usage_rollup_lookup", table_name="usage_rollup")
    op.drop_index("ix_usage_rollup_day", table_name="usage_rollup")
    op.drop_table("usage_rollup")
    op.drop_index("ix_catalogue_counts_org_id", table_name="catalogue_counts")
    op.drop_table("catalogue_counts")
