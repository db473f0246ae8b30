"""passkeys: server-side WebAuthn challenges (single use, short-lived)

Revision ID: c3a1f0d2e7b9
Revises: 4296e238b841
Create Date: 2026-12-02 04:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'c3a1f0d2e7b9'
down_revision = '4296e238b841'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mfa_passkey_challenges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=10), nullable=False),
    sa.Column('challenge_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mfa_passkey_challenges_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mfa_passkey_challenges')),
    sa.UniqueConstraint('challenge_hash', name=op.f('uq_mfa_passkey_challenges_challenge_hash'))
    )
    with op.batch_alter_table('mfa_passkey_challenges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mfa_passkey_challenges_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('mfa_passkey_challenges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mfa_passkey_challenges_user_id'))

    op.drop_table('mfa_passkey_challenges')
