"""harvest token org: a harvest token is bound to one organisation subtree

Revision ID: d2a9f4c6e1b3
Revises: c4e8a1f07d35
Create Date: 2026-12-06 07:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d2a9f4c6e1b3"
down_revision: str | Sequence[str] | None = "c4e8a1f07d35"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("org_id", sa.Integer(), nullable=True))
        batch.create_index("ix_api_tokens_org_id", ["org_id"])
        batch.create_foreign_key(
            "fk_api_tokens_org_id", "organisations", ["org_id"], ["id"], ondelete="CASCADE"
        )


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_constraint("fk_api_tokens_org_id", type_="foreignkey")
        batch.drop_index("ix_api_tokens_org_id")
        batch.drop_column("org_id")
