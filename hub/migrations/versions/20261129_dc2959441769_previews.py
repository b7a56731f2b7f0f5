"""previews: preview images of stored files (first PDF page, images), keyed by source SHA-256

Revision ID: dc2959441769
Revises: 6a46cbe050c0
Create Date: 2026-11-29 20:18:23.252333
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'dc2959441769'
down_revision: Union[str, Sequence[str], None] = '6a46cbe050c0'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('previews',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('preview_sha256', sa.String(length=64), nullable=True),
    sa.Column('mimetype', sa.String(length=255), nullable=True),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('made', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha256')
    )


def downgrade() -> None:
    op.drop_table('previews')
