"""mirrors: school mirrors of a parent hub, and the files they fetch in their window

Revision ID: d5f2b8c9e013
Revises: d5a9c3e17b20
Create Date: 2026-12-06 07:30:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from sqlalchemy.dialects import postgresql


revision: str = 'd5f2b8c9e013'
down_revision: Union[str, Sequence[str], None] = 'd5a9c3e17b20'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.create_table('mirrors',
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('selection', JSON, nullable=False),
    sa.Column('window', sa.String(length=11), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('rate', sa.BigInteger(), nullable=False),
    sa.Column('lease_owner', sa.String(length=200), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_fill', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('source_id')
    )
    op.create_table('mirror_files',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('fetched', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('resource_id', 'name')
    )
    op.create_index(op.f('ix_mirror_files_source_id'), 'mirror_files', ['source_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_mirror_files_source_id'), table_name='mirror_files')
    op.drop_table('mirror_files')
    op.drop_table('mirrors')
