"""index the current versions of trainings and CPF statements by passport

Revision ID: b7c1e2d3f4a5
Revises: c3a1f0d2e7b9
Create Date: 2026-12-02 04:50:00.000000

A passport read asks for ``passport_id = ? AND superseded = false``; SQLite, which keeps no
statistics, answered it from the index on ``superseded`` alone (every current version of
every passport). See docs/BENCHMARKS.md.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7c1e2d3f4a5'
down_revision = 'c3a1f0d2e7b9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('trainings', schema=None) as batch_op:
        batch_op.create_index('ix_trainings_passport_id_superseded', ['passport_id', 'superseded'], unique=False)
    with op.batch_alter_table('cpf_statements', schema=None) as batch_op:
        batch_op.create_index('ix_cpf_statements_passport_id_superseded', ['passport_id', 'superseded'], unique=False)


def downgrade():
    with op.batch_alter_table('cpf_statements', schema=None) as batch_op:
        batch_op.drop_index('ix_cpf_statements_passport_id_superseded')
    with op.batch_alter_table('trainings', schema=None) as batch_op:
        batch_op.drop_index('ix_trainings_passport_id_superseded')
