"""directory version counter (the answer cache of the directory endpoints)

Revision ID: 151a91e997d1
Revises: d4e8b2a6c1f3
Create Date: 2026-12-02 14:26:31.272333

One row, moved by every write to the directory (passport/directory/version.py). A missing
row reads as 0; the row is inserted here with 1 so that no process keeps answers cached
before this revision under the version a fresh table would start from.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '151a91e997d1'
down_revision = 'd4e8b2a6c1f3'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table('directory_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_version'))
    )
    op.bulk_insert(table, [{"id": 1, "version": 1}])


def downgrade():
    op.drop_table('directory_version')
