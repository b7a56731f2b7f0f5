"""usage events: events, daily and hourly aggregates, coverage counts, the aggregation watermark

Revision ID: a7e3c1d94b20
Revises: b7d41c9e2a60
Create Date: 2026-12-06 04:30:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision: str = 'a7e3c1d94b20'
down_revision: Union[str, Sequence[str], None] = 'b7d41c9e2a60'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def _facets() -> list:
    return [
        sa.Column('stage', sa.String(length=16), nullable=True),
        sa.Column('type', sa.String(length=32), nullable=True),
        sa.Column('source', sa.String(length=200), nullable=True),
        sa.Column('org', sa.String(length=64), nullable=True),
        sa.Column('region', sa.String(length=12), nullable=True),
        sa.Column('visitor_org', sa.String(length=64), nullable=True),
        sa.Column('visitor_region', sa.String(length=12), nullable=True),
    ]


def upgrade() -> None:
    op.create_table('usage_events',
    sa.Column('id', BIGID, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('resource_id', sa.String(length=36), nullable=True),
    sa.Column('file_name', sa.String(length=500), nullable=True),
    sa.Column('subjects', JSON, nullable=False),
    sa.Column('grades', JSON, nullable=False),
    *_facets(),
    sa.Column('visitor_key', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_usage_events_at', 'usage_events', ['at'], unique=False)
    op.create_index('ix_usage_events_kind_at', 'usage_events', ['kind', 'at'], unique=False)
    op.create_table('usage_daily',
    sa.Column('id', BIGID, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('visitor_key', sa.String(length=64), nullable=False),
    sa.Column('resource_id', sa.String(length=36), nullable=True),
    sa.Column('subject', sa.String(length=32), nullable=True),
    sa.Column('grade', sa.String(length=16), nullable=True),
    *_facets(),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_usage_daily_kind_day', 'usage_daily', ['kind', 'day'], unique=False)
    op.create_index('ix_usage_daily_resource_id', 'usage_daily', ['resource_id'], unique=False)
    op.create_table('usage_hourly',
    sa.Column('hour', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('hour', 'kind')
    )
    op.create_table('coverage_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=True),
    sa.Column('subject', sa.String(length=32), nullable=True),
    sa.Column('grade', sa.String(length=16), nullable=True),
    sa.Column('edition', sa.String(length=32), nullable=True),
    sa.Column('volume', sa.String(length=16), nullable=True),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('usage_watermark',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('event_id', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('usage_watermark')
    op.drop_table('coverage_counts')
    op.drop_table('usage_hourly')
    op.drop_index('ix_usage_daily_resource_id', table_name='usage_daily')
    op.drop_index('ix_usage_daily_kind_day', table_name='usage_daily')
    op.drop_table('usage_daily')
    op.drop_index('ix_usage_events_kind_at', table_name='usage_events')
    op.drop_index('ix_usage_events_at', table_name='usage_events')
    op.drop_table('usage_events')
