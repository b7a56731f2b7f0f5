"""file texts: text extracted from stored files, for search

Revision ID: 7c1e2f4a9b3d
Revises: e5a9148192c7
Create Date: 2026-11-30 10:00:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '7c1e2f4a9b3d'
down_revision: Union[str, Sequence[str], None] = 'e5a9148192c7'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('file_texts',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('extracted', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha256')
    )


def downgrade() -> None:
    op.drop_table('file_texts')
