"""share links keep their token, encrypted at rest, so that the holder can show it again

Revision ID: c3a9d1e5f7b2
Revises: cec12a3cf693
Create Date: 2026-12-02 04:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3a9d1e5f7b2'
down_revision = 'cec12a3cf693'
branch_labels = None
depends_on = None


def upgrade():
    # Shares made before this revision keep NULL: their link was shown once, at creation.
    with op.batch_alter_table('share_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sealed_token', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('share_links', schema=None) as batch_op:
        batch_op.drop_column('sealed_token')
