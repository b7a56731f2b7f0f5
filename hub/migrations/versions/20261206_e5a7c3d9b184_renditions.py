"""renditions: the 360p MP4 of a video and the PDF of an office file, for the resource page

Revision ID: e5a7c3d9b184
Revises: d2f6a8c41e93
Create Date: 2026-12-06 07:30:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'e5a7c3d9b184'
down_revision: Union[str, Sequence[str], None] = 'd2f6a8c41e93'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('renditions',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('rendition_sha256', sa.String(length=64), nullable=True),
    sa.Column('mimetype', sa.String(length=255), nullable=True),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('made', sa.DateTime(timezone=True), nullable=False),
    sa.Column('failure', sa.String(length=300), nullable=True),
    sa.PrimaryKeyConstraint('sha256')
    )


def downgrade() -> None:
    op.drop_table('renditions')
