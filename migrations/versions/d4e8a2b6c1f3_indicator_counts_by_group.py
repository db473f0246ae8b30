"""indicator monthly counts keyed by the structures' group, not their id

The three tables keyed by structure ids (month, structure / sender, receiver / sender, ...)
become three tables keyed by what the answer filters and shows: the department, the type and
the CEP flag of the structure that received the person or sent the referral, and the type of
the receiving one (docs/INDICATORS.md); and the delays summed over the departments and types,
what a question on the whole region reads (`indicator_delay_region`). The upgrade sums the old rows into the new ones by
the structures' current group: no rebuild is needed. The downgrade recreates the old
tables empty: run `flask --app wsgi indicators rebuild` after it.

Revision ID: d4e8a2b6c1f3
Revises: c3a9d1e5f7b2
Create Date: 2026-12-02 09:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4e8a2b6c1f3'
down_revision = 'c3a9d1e5f7b2'
branch_labels = None
depends_on = None

GROUP = ("department", "structure_type", "cep")


def _group_columns():
    return [
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('department', sa.String(length=3), nullable=False),
        sa.Column('structure_type', sa.String(length=16), nullable=False),
        sa.Column('cep', sa.Boolean(), nullable=False),
    ]


def upgrade():
    op.create_table('indicator_reception_groups',
    *_group_columns(),
    sa.Column('dimension', sa.String(length=16), nullable=False),
    sa.Column('value', sa.String(length=32), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month', *GROUP, 'dimension', 'value', name=op.f('pk_indicator_reception_groups')),
    sqlite_with_rowid=False,
    )
    op.create_table('indicator_referral_groups',
    *_group_columns(),
    sa.Column('receiver_type', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month', *GROUP, 'receiver_type', 'status', 'reason', name=op.f('pk_indicator_referral_groups')),
    sqlite_with_rowid=False,
    )
    op.create_table('indicator_delay_groups',
    *_group_columns(),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month', *GROUP, 'status', 'hours', name=op.f('pk_indicator_delay_groups')),
    sqlite_with_rowid=False,
    )
    # The counts so far, summed by the structures' current group.
    op.execute(
        "INSERT INTO indicator_reception_groups"
        " (month, department, structure_type, cep, dimension, value, count)"
        " SELECT c.month, s.department, s.type, s.is_cep_operator, c.dimension, c.value,"
        " SUM(c.count) FROM indicator_reception_counts c JOIN structures s ON s.id = c.structure_id"
        " GROUP BY c.month, s.department, s.type, s.is_cep_operator, c.dimension, c.value"
    )
    op.execute(
        "INSERT INTO indicator_referral_groups"
        " (month, department, structure_type, cep, receiver_type, status, reason, count)"
        " SELECT c.month, s.department, s.type, s.is_cep_operator, r.type, c.status, c.reason,"
        " SUM(c.count) FROM indicator_referral_counts c"
        " JOIN structures s ON s.id = c.sender_id JOIN structures r ON r.id = c.receiver_id"
        " GROUP BY c.month, s.department, s.type, s.is_cep_operator, r.type, c.status, c.reason"
    )
    op.execute(
        "INSERT INTO indicator_delay_groups"
        " (month, department, structure_type, cep, status, hours, count)"
        " SELECT c.month, s.department, s.type, s.is_cep_operator, c.status, c.hours,"
        " SUM(c.count) FROM indicator_referral_delays c JOIN structures s ON s.id = c.sender_id"
        " GROUP BY c.month, s.department, s.type, s.is_cep_operator, c.status, c.hours"
    )
    op.create_table('indicator_delay_region',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('cep', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'cep', 'status', 'hours', name=op.f('pk_indicator_delay_region')),
    sqlite_with_rowid=False,
    )
    op.execute(
        "INSERT INTO indicator_delay_region (month, cep, status, hours, count)"
        " SELECT month, cep, status, hours, SUM(count) FROM indicator_delay_groups"
        " GROUP BY month, cep, status, hours"
    )
    op.drop_table('indicator_referral_delays')
    op.drop_table('indicator_referral_counts')
    op.drop_table('indicator_reception_counts')


def downgrade():
    op.create_table('indicator_reception_counts',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=16), nullable=False),
    sa.Column('value', sa.String(length=32), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_indicator_reception_counts_structure_id_structures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('month', 'structure_id', 'dimension', 'value', name=op.f('pk_indicator_reception_counts')),
    sqlite_with_rowid=False,
    )
    op.create_table('indicator_referral_counts',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('sender_id', sa.Integer(), nullable=False),
    sa.Column('receiver_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['receiver_id'], ['structures.id'], name=op.f('fk_indicator_referral_counts_receiver_id_structures'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sender_id'], ['structures.id'], name=op.f('fk_indicator_referral_counts_sender_id_structures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('month', 'sender_id', 'receiver_id', 'status', 'reason', name=op.f('pk_indicator_referral_counts')),
    sqlite_with_rowid=False,
    )
    op.create_table('indicator_referral_delays',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('sender_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['sender_id'], ['structures.id'], name=op.f('fk_indicator_referral_delays_sender_id_structures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('month', 'sender_id', 'status', 'hours', name=op.f('pk_indicator_referral_delays')),
    sqlite_with_rowid=False,
    )
    op.drop_table('indicator_delay_region')
    op.drop_table('indicator_delay_groups')
    op.drop_table('indicator_referral_groups')
    op.drop_table('indicator_reception_groups')
