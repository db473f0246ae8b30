"""The access log partitioned by month on PostgreSQL (docs/SCALING.md), one table on SQLite:
the same log for the holder, the same purge, on both."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from passport.db import utcnow
from passport.extensions import db
from passport.notifications import schedule, visits
from passport.notifications.jobs import SCHEDULE
from passport.passports import services as passports
from passport.sharing import partitions
from passport.sharing import services as sharing
from passport.sharing.models import AccessLogEntry, Notification, Visit, access_entry
from passport.sharing.partitions import next_month
from tests import factories


@pytest.fixture
def net(ctx):
    class Net:
        ml = factories.structure("ML28", "ML")
        holder = factories.holder(name="Léa Martin")

    Net.passport = passports.passport_of(Net.holder)
    db.session.commit()
    return Net


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _where(entry_id: int) -> str:
    """The partition that holds the row."""
    return db.session.execute(
        text("SELECT CAST(tableoid AS regclass) FROM access_log WHERE id = :id"), {"id": entry_id}
    ).scalar_one()


def _opened(net, times: int) -> list[AccessLogEntry]:
    new = sharing.create_share(
        net.passport, sections=["profile"], permissions=["read"], expires_in_days=7
    )
    for _ in range(times):
        sharing.open_share(new.token, structure=net.ml)
    db.session.commit()
    return sorted(sharing.access_log(net.passport, per_page=100).items, key=lambda e: e.id)


def _age(entry: AccessLogEntry, at) -> None:
    db.session.execute(
        text("UPDATE access_log SET at = :at WHERE id = :id"), {"at": at, "id": entry.id}
    )


def test_the_access_log_is_partitioned_by_month_on_postgresql(net):
    if not _postgresql():
        pytest.skip("PostgreSQL's catalog: SQLite keeps one table")
    # Made by db.create_all as by the migration (another test may have dropped them).
    partitions.ensure_partitions(db.session.connection())
    assert (
        db.session.execute(
            text(
                "SELECT partstrat FROM pg_partitioned_table "
                "WHERE partrelid = CAST('access_log' AS regclass)"
            )
        ).scalar_one()
        == "r"
    )
    month = partitions.month_start(utcnow())
    names = partitions.month_partitions(db.session.connection())
    this, following = (
        partitions.partition_name(month),
        partitions.partition_name(partitions.next_month(month)),
    )
    assert {this, following} <= set(names)
    (entry,) = _opened(net, 1)
    assert _where(entry.id) == this
    # A row of a month without its partition yet is kept, in the DEFAULT partition.
    far = month.replace(year=month.year + 2)
    _age(entry, far + timedelta(days=3))
    assert _where(entry.id) == partitions.DEFAULT


def test_creating_a_month_moves_its_rows_out_of_the_default_partition(net):
    first, second = _opened(net, 2)
    later = partitions.month_start(utcnow()).replace(year=utcnow().year + 3)
    _age(second, later + timedelta(days=10))
    db.session.commit()
    created = partitions.ensure_partitions(db.session.connection(), now=later)
    db.session.commit()
    db.session.expire_all()
    # The holder's log is the same, wherever the rows are.
    assert [e.id for e in sharing.access_log(net.passport).items] == [second.id, first.id]
    if not _postgresql():
        assert created == []
        return
    ahead = [partitions.partition_name(later), partitions.partition_name(next_month(later))]
    assert created == ahead
    assert _where(second.id) == ahead[0]
    assert partitions.ensure_partitions(db.session.connection(), now=later) == []
    for name in ahead:  # not left for the next tests (the session's database is shared)
        db.session.execute(text(f"DROP TABLE {name}"))
    db.session.commit()


def test_the_partitions_job_is_on_the_worker_schedule(net):
    assert SCHEDULE["access_log_partitions"][0] is schedule.access_log_partitions
    if not _postgresql():
        assert schedule.access_log_partitions() == []
        return
    partitions.ensure_partitions(db.session.connection())
    following = partitions.partition_name(partitions.next_month(partitions.month_start(utcnow())))
    db.session.execute(text(f"DROP TABLE {following}"))  # empty: the test data is truncated
    db.session.commit()
    assert schedule.access_log_partitions() == [following]
    db.session.commit()
    assert schedule.access_log_partitions() == []


def test_the_purge_drops_the_old_months_and_keeps_the_holders_log(app, net):
    now = utcnow()
    cutoff = now - timedelta(days=app.config["RETENTION_ACCESS_LOG_DAYS"])
    old_month = partitions.month_start(cutoff - timedelta(days=62))
    gone, edge_gone, edge_kept, kept = _opened(net, 4)
    gone_id, edge_kept_id, kept_id = gone.id, edge_kept.id, kept.id
    _age(gone, old_month + timedelta(days=5))
    _age(edge_gone, cutoff - timedelta(minutes=5))
    _age(edge_kept, cutoff + timedelta(minutes=5))
    # A notice of before visits, pointing to its row (no foreign key any more).
    db.session.add(Notification(user_id=net.holder.id, access_id=gone.id, kind="access"))
    db.session.commit()
    connection = db.session.connection()
    partitions.create_month(connection, old_month)
    partitions.create_month(connection, cutoff - timedelta(minutes=5))
    partitions.create_month(connection, cutoff + timedelta(minutes=5))
    db.session.commit()
    if _postgresql():
        assert _where(gone.id) == partitions.partition_name(old_month)

    assert sharing.purge_access_log(now) == 2
    db.session.commit()
    db.session.expire_all()
    log = [e.id for e in sharing.access_log(net.passport).items]
    assert log == [kept_id, edge_kept_id]
    assert (
        db.session.execute(db.select(Notification).where(Notification.access_id == gone_id)).first()
        is None
    )
    if _postgresql():
        names = partitions.month_partitions(db.session.connection())
        assert partitions.partition_name(old_month) not in names
        assert partitions.partition_name(cutoff + timedelta(minutes=5)) in names
        assert (
            db.session.execute(
                text("SELECT to_regclass(:name)"), {"name": partitions.partition_name(old_month)}
            ).scalar()
            is None
        )
    # Nothing left to purge: a second run finds nothing.
    assert sharing.purge_access_log(now) == 0


def _relations(plan: dict) -> set[str]:
    """The tables (partitions) an EXPLAIN (FORMAT JSON) plan reads."""
    found = {plan["Relation Name"]} if "Relation Name" in plan else set()
    for child in plan.get("Plans", []):
        found |= _relations(child)
    return found


def test_a_row_looked_up_with_its_time_is_read_from_one_partition(net):
    if not _postgresql():
        pytest.skip("PostgreSQL's planner: SQLite keeps one table")
    connection = db.session.connection()
    month = partitions.month_start(utcnow())
    earlier = partitions.month_start(month - timedelta(days=1))
    partitions.ensure_partitions(connection)
    partitions.create_month(connection, earlier)
    entry, older = _opened(net, 2)
    _age(older, earlier + timedelta(days=2))
    db.session.commit()
    connection = db.session.connection()
    assert len(partitions.month_partitions(connection)) >= 3

    def scanned(query) -> set[str]:
        compiled = query.compile(dialect=db.session.connection().dialect)
        sql, params = str(compiled), compiled.params
        explain = f"EXPLAIN (FORMAT JSON) {sql}"
        plan = db.session.connection().exec_driver_sql(explain, params).scalar_one()
        return {name for name in _relations(plan[0]["Plan"]) if name.startswith("access_log")}

    assert scanned(access_entry(entry.id, entry.at)) == {partitions.partition_name(month)}
    older = db.session.get(AccessLogEntry, older.id)
    assert scanned(access_entry(older.id, older.at)) == {partitions.partition_name(earlier)}
    # By id alone (a job queued before the time was passed along): every partition.
    assert (
        len(scanned(access_entry(entry.id, None)))
        == len(partitions.month_partitions(connection)) + 1
    )  # and the DEFAULT one
    db.session.execute(text(f"DROP TABLE {partitions.partition_name(earlier)}"))
    db.session.commit()


def test_note_access_finds_its_row_with_or_without_its_time(net):
    (entry,) = _opened(net, 1)
    at = entry.at.isoformat()
    assert visits.note_access(entry.id, None, at) is not None
    db.session.commit()
    # A job queued before the deploy: (entry_id, reason) only, the same visit.
    assert visits.note_access(entry.id, None) == visits.note_access(entry.id, None, at)
    # The time is part of the lookup: a wrong one finds nothing.
    assert visits.note_access(entry.id, None, (entry.at - timedelta(days=40)).isoformat()) is None
    db.session.commit()
    assert db.session.execute(db.select(Visit)).scalars().unique().all() != []
