"""trainings.hours to the hundredth: NUMERIC(8,2) instead of NUMERIC(7,1)

A training of 1 h 15 is 1.25 hours: to the tenth it was stored (and signed) as 1.3 or 1.2.
The widened column keeps every value it held (one more digit before the point too, so that
the largest accepted value, 100000, still fits). Hashes and signatures stay valid: a record's
content writes 1.3 and 1.30 alike (trust/canonical.py).

Revision ID: a7c3e5f1b9d2
Revises: 151a91e997d1
Create Date: 2026-12-02 14:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e5f1b9d2'
down_revision = '151a91e997d1'
branch_labels = None
depends_on = None


TENTHS = sa.Numeric(precision=7, scale=1)
HUNDREDTHS = sa.Numeric(precision=8, scale=2)


def _hours(old, new):
    with op.batch_alter_table('trainings', schema=None) as batch_op:
        batch_op.alter_column('hours', existing_type=old, type_=new, existing_nullable=True)


def upgrade():
    _hours(TENTHS, HUNDREDTHS)


def downgrade():
    # Back to the tenth: hundredths are rounded (half up on PostgreSQL), and the records that
    # had them no longer match their hashes.
    _hours(HUNDREDTHS, TENTHS)
