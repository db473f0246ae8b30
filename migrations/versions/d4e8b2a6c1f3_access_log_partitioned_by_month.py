"""access_log partitioned by month on PostgreSQL; notifications.access_id without a foreign key

On PostgreSQL, ``access_log`` becomes a table partitioned by RANGE on ``at`` (primary key
``(id, at)``): a new partitioned table is created, one partition per month from the oldest
row's month to next month plus a DEFAULT one, the rows copied (ids kept, the same sequence
goes on), the indexes and foreign keys recreated, and the old table dropped. The table is
locked (ACCESS EXCLUSIVE) for the copy: run it when the service is quiet.

On both databases ``notifications.access_id`` loses its foreign key to ``access_log.id``
(a foreign key to a partitioned table must name the partition key; docs/SCALING.md says
why the link is now the application's). SQLite keeps one access_log table.

Revision ID: d4e8b2a6c1f3
Revises: d4e8a2b6c1f3
Create Date: 2026-12-02 10:00:00.000000

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4e8b2a6c1f3'
down_revision = 'd4e8a2b6c1f3'
branch_labels = None
depends_on = None

COLUMNS = "id, passport_id, share_id, structure_id, advisor_id, action, at"
INDEXES = (('ix_access_log_at', 'at'), ('ix_access_log_passport_id', 'passport_id'),
           ('ix_access_log_share_id', 'share_id'))


def _columns_and_keys():
    return [
        sa.Column('id', sa.Integer(), nullable=False,
                  server_default=sa.text("nextval('access_log_id_seq'::regclass)")),
        sa.Column('passport_id', sa.Integer(), nullable=False),
        sa.Column('share_id', sa.Integer(), nullable=True),
        sa.Column('structure_id', sa.Integer(), nullable=True),
        sa.Column('advisor_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=16), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['advisor_id'], ['users.id'], name='fk_access_log_advisor_id_users', ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['passport_id'], ['passports.id'], name='fk_access_log_passport_id_passports', ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['share_id'], ['share_links.id'], name='fk_access_log_share_id_share_links', ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name='fk_access_log_structure_id_structures', ondelete='SET NULL'),
    ]


def _month(at):
    at = at.astimezone(UTC)
    return datetime(at.year, at.month, 1, tzinfo=UTC)


def _next(month):
    return month.replace(year=month.year + 1, month=1) if month.month == 12 else month.replace(month=month.month + 1)


def _bound(at):
    return at.strftime("%Y-%m-%d %H:%M:%S+00")


def _set_aside(bind):
    """Rename the current access_log, its primary key and indexes out of the way."""
    op.execute("ALTER TABLE access_log RENAME TO access_log_old")
    op.execute("ALTER TABLE access_log_old RENAME CONSTRAINT pk_access_log TO pk_access_log_old")
    for name, _column in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")


def _finish():
    op.execute(f"INSERT INTO access_log ({COLUMNS}) SELECT {COLUMNS} FROM access_log_old")
    for name, column in INDEXES:
        op.execute(f"CREATE INDEX {name} ON access_log ({column})")
    op.execute("ALTER SEQUENCE access_log_id_seq OWNED BY access_log.id")
    op.execute("DROP TABLE access_log_old")


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint('fk_notifications_access_id_access_log', type_='foreignkey')
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    _set_aside(bind)
    op.create_table(
        'access_log',
        *_columns_and_keys(),
        sa.PrimaryKeyConstraint('id', 'at', name='pk_access_log'),
        postgresql_partition_by='RANGE (at)',
    )
    oldest = bind.execute(sa.text("SELECT min(at) FROM access_log_old")).scalar()
    now = datetime.now(UTC)
    month, last = _month(min(oldest, now) if oldest else now), _next(_month(now))
    while month <= last:
        upper = _next(month)
        op.execute(
            f"CREATE TABLE access_log_{month.year:04d}_{month.month:02d} PARTITION OF access_log "
            f"FOR VALUES FROM ('{_bound(month)}') TO ('{_bound(upper)}')"
        )
        month = upper
    op.execute("CREATE TABLE access_log_default PARTITION OF access_log DEFAULT")
    _finish()


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        _set_aside(bind)  # the partitions go with the partitioned table, dropped at the end
        op.create_table(
            'access_log',
            *_columns_and_keys(),
            sa.PrimaryKeyConstraint('id', name='pk_access_log'),
        )
        _finish()
    # What the ON DELETE CASCADE would have deleted, before it is back. NOT EXISTS (an anti
    # join), not NOT IN: past work_mem PostgreSQL rescans the subquery for each notification.
    op.execute(
        "DELETE FROM notifications WHERE access_id IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM access_log WHERE access_log.id = notifications.access_id)"
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_notifications_access_id_access_log', 'access_log', ['access_id'], ['id'], ondelete='CASCADE')
