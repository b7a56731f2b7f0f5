"""sandbox failures: why a preview or a text extraction was stopped by a limit

Revision ID: b7d41c9e2a60
Revises: 3b7d0e1f5a21
Create Date: 2026-12-06 04:20:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'b7d41c9e2a60'
down_revision: Union[str, Sequence[str], None] = '3b7d0e1f5a21'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('previews') as batch:
        batch.add_column(sa.Column('failure', sa.String(length=300), nullable=True))
    with op.batch_alter_table('file_texts') as batch:
        batch.add_column(sa.Column('failure', sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('file_texts') as batch:
        batch.drop_column('failure')
    with op.batch_alter_table('previews') as batch:
        batch.drop_column('failure')
