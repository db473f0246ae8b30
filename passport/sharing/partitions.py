"""The access log's monthly partitions, on PostgreSQL (docs/SCALING.md).

On PostgreSQL ``access_log`` is partitioned by RANGE on ``at``: one partition a month,
``access_log_YYYY_MM`` (months in UTC), and ``access_log_default`` for any row no month
partition takes (a month the job below has not created yet: nothing is ever refused).
SQLite keeps one plain table; every function here does nothing there.

- ``ensure_partitions`` creates this month's partition and the next ``ahead`` ones; the
  worker runs it every day (``passport.notifications.schedule``), the migration and
  ``db.create_all`` (the tests) run it too. Rows of a month that reached the DEFAULT
  partition before its own partition existed are moved into it.
- ``drop_partitions_before`` detaches and drops the month partitions that end before a
  cutoff (the retention purge, ``passport.sharing.services.purge_access_log``): no row by
  row DELETE, no dead tuples, no vacuum for them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection

from passport.db import utcnow

TABLE = "access_log"
DEFAULT = f"{TABLE}_default"
_NAME = re.compile(rf"^{TABLE}_(\d{{4}})_(\d{{2}})$")


def is_partitioned(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def month_start(at: datetime) -> datetime:
    at = at.astimezone(UTC)
    return datetime(at.year, at.month, 1, tzinfo=UTC)


def next_month(month: datetime) -> datetime:
    if month.month == 12:
        return month.replace(year=month.year + 1, month=1)
    return month.replace(month=month.month + 1)


def partition_name(month: datetime) -> str:
    return f"{TABLE}_{month.year:04d}_{month.month:02d}"


def month_partitions(connection: Connection) -> dict[str, datetime]:
    """The month partitions attached to the access log: name -> first instant of the month."""
    names = connection.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = CAST(:table AS regclass)"
        ),
        {"table": TABLE},
    ).scalars()
    found = {}
    for name in names:
        match = _NAME.match(name)
        if match:
            found[name] = datetime(int(match[1]), int(match[2]), 1, tzinfo=UTC)
    return found


def _has_default(connection: Connection) -> bool:
    return (
        connection.execute(
            text(
                "SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = CAST(:table AS regclass) AND c.relname = :name"
            ),
            {"table": TABLE, "name": DEFAULT},
        ).first()
        is not None
    )


def _bound(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S+00")


def create_month(connection: Connection, month: datetime) -> bool:
    """Create the partition of ``month`` if missing; True if created.

    Rows of that month already in the DEFAULT partition (PostgreSQL refuses to create the
    partition over them) are moved: the new table is filled first, then attached.
    """
    if not is_partitioned(connection):
        return False
    month = month_start(month)
    name = partition_name(month)
    if name in month_partitions(connection):
        return False
    lower, upper = _bound(month), _bound(next_month(month))
    bounds = f"FROM ('{lower}') TO ('{upper}')"
    in_range = "at >= CAST(:lower AS timestamptz) AND at < CAST(:upper AS timestamptz)"
    values = {"lower": lower, "upper": upper}
    stray = _has_default(connection) and (
        connection.execute(
            text(f"SELECT 1 FROM {DEFAULT} WHERE {in_range} LIMIT 1"),  # noqa: S608  # nosec B608  # our names
            values,
        ).first()
        is not None
    )
    if not stray:
        connection.execute(text(f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES {bounds}"))
        return True
    connection.execute(text(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS)"))
    # The names are ours (constants and a month's digits), the bounds bound parameters.
    move = f"INSERT INTO {name} SELECT * FROM {DEFAULT} WHERE {in_range}"  # noqa: S608  # nosec B608  # ours
    connection.execute(text(move), values)
    delete = f"DELETE FROM {DEFAULT} WHERE {in_range}"  # noqa: S608  # nosec B608  # our names
    connection.execute(text(delete), values)
    # Attaching copies the parent's indexes, primary key and foreign keys onto the table.
    connection.execute(text(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES {bounds}"))
    return True


def ensure_partitions(
    connection: Connection, now: datetime | None = None, ahead: int = 1
) -> list[str]:
    """The DEFAULT partition, this month's and the ``ahead`` next ones; the names created."""
    if not is_partitioned(connection):
        return []
    created = []
    if not _has_default(connection):
        connection.execute(text(f"CREATE TABLE {DEFAULT} PARTITION OF {TABLE} DEFAULT"))
        created.append(DEFAULT)
    month = month_start(now or utcnow())
    for _ in range(ahead + 1):
        if create_month(connection, month):
            created.append(partition_name(month))
        month = next_month(month)
    return created


def drop_partitions_before(connection: Connection, cutoff: datetime) -> int:
    """Detach and drop the month partitions whose month ended before ``cutoff``; returns how
    many rows went with them. The month of the cutoff itself is the caller's (row by row)."""
    if not is_partitioned(connection):
        return 0
    dropped = 0
    for name, month in sorted(month_partitions(connection).items(), key=lambda kv: kv[1]):
        if next_month(month) > cutoff:
            continue
        count = text(f"SELECT count(*) FROM {name}")  # noqa: S608  # nosec B608  # a name of ours
        dropped += connection.execute(count).scalar_one()
        connection.execute(text(f"ALTER TABLE {TABLE} DETACH PARTITION {name}"))
        connection.execute(text(f"DROP TABLE {name}"))
    return dropped


def is_partition(name: str | None) -> bool:
    """A partition of the access log (not in the models: Alembic must leave it alone)."""
    return name is not None and (name == DEFAULT or _NAME.match(name) is not None)


def include_name(name, type_, parent_names) -> bool:
    """Alembic's ``include_name`` hook: the access log's partitions (and their indexes) are
    not compared with the models (``migrations/env.py``, tests/test_restart_and_migrations)."""
    if type_ == "table":
        return not is_partition(name)
    if type_ in ("index", "unique_constraint", "foreign_key_constraint", "column"):
        return not is_partition(parent_names.get("table_name"))
    return True
