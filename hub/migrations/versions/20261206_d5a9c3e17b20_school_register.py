"""school register: national school id, stages and flags on organisations; set-password links

Revision ID: d5a9c3e17b20
Revises: d2a9f4c6e1b3
Create Date: 2026-12-06 07:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d5a9c3e17b20"
down_revision: str | Sequence[str] | None = "d2a9f4c6e1b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FLAGS = ("rural", "boarding", "teaching_point")


def upgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(sa.Column("school_id", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("stages", sa.String(length=200), server_default="", nullable=False))
        for flag in FLAGS:
            batch.add_column(sa.Column(flag, sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.create_index("ix_organisations_school_id", ["school_id"], unique=True)
    op.create_table(
        "password_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_password_links_user_id", "password_links", ["user_id"])
    op.create_index("ix_password_links_token_hash", "password_links", ["token_hash"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_password_links_token_hash", table_name="password_links")
    op.drop_index("ix_password_links_user_id", table_name="password_links")
    op.drop_table("password_links")
    with op.batch_alter_table("organisations") as batch:
        batch.drop_index("ix_organisations_school_id")
        for flag in FLAGS:
            batch.drop_column(flag)
        batch.drop_column("stages")
        batch.drop_column("school_id")
