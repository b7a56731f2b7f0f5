"""resource majors: vocational and higher-education records name majors instead of grades

Revision ID: d2f6a8c41e93
Revises: d5f2b8c9e013
Create Date: 2026-12-06 07:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "d2f6a8c41e93"
down_revision: str | Sequence[str] | None = "d5f2b8c9e013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("resources") as batch:
        batch.add_column(
            sa.Column(
                "majors",
                sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                server_default="[]",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("resources") as batch:
        batch.drop_column("majors")
