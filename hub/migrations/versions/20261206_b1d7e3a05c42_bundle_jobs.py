"""bundle_jobs: offline bundles built on request through the API

Revision ID: b1d7e3a05c42
Revises: a7e3c1d94b20
Create Date: 2026-12-06 04:30:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from sqlalchemy.dialects import postgresql


revision: str = 'b1d7e3a05c42'
down_revision: Union[str, Sequence[str], None] = 'a7e3c1d94b20'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('bundle_jobs',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('query', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.Column('files', sa.Integer(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_bundle_jobs_owner_id'), 'bundle_jobs', ['owner_id'], unique=False)
    op.create_index(op.f('ix_bundle_jobs_expires'), 'bundle_jobs', ['expires'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_bundle_jobs_expires'), table_name='bundle_jobs')
    op.drop_index(op.f('ix_bundle_jobs_owner_id'), table_name='bundle_jobs')
    op.drop_table('bundle_jobs')
