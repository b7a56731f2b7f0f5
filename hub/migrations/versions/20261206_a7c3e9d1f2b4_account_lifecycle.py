"""accounts: token scopes, and a flag on users whose password is still the seeded demo one

Revision ID: a7c3e9d1f2b4
Revises: dc2959441769
Create Date: 2026-12-06 04:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7c3e9d1f2b4"
down_revision: str | Sequence[str] | None = "dc2959441769"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(
            sa.Column(
                "scopes",
                sa.String(length=64),
                server_default="read write harvest admin",
                nullable=False,
            )
        )
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("seeded_password", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("seeded_password")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("scopes")
