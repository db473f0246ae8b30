"""Migration d4e8b2a6c1f3 (the access log partitioned by month) on a database that holds rows.

Upgrade from the revision before, with access-log rows spread over several months, the visits
that group them and the notifications that point to them: every row is kept with its values,
in its month's partition (PostgreSQL), the ids go on from the same sequence, the holder's log
and visits read the same; downgrade and upgrade again keep them too. On SQLite the table
stays one table (only the notifications' foreign key goes). docs/SCALING.md.
"""

from __future__ import annotations

from datetime import timedelta

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from config import TestingConfig
from passport.db import utcnow
from passport.extensions import db
from passport.notifications import visits
from passport.passports import services as passports
from passport.sharing import partitions
from passport.sharing import services as sharing
from passport.sharing.models import AccessLogEntry, Notification
from tests import factories
from tests.test_restart_and_migrations import _app, empty_database_url  # noqa: F401  # fixture

BEFORE, PARTITIONED = "d4e8a2b6c1f3", "d4e8b2a6c1f3"


def _postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


def _times():
    """Rows over six months, on both sides of month boundaries, and one far ahead."""
    this = partitions.month_start(utcnow())
    months = [this]
    for _ in range(5):
        months.insert(0, partitions.month_start(months[0] - timedelta(days=1)))
    times = []
    for month in months:
        times += [month, month + timedelta(days=3, hours=5), month + timedelta(days=14)]
        times.append(partitions.next_month(month) - timedelta(microseconds=1))
    times = [t for t in times if t <= utcnow()]
    times.append(this.replace(year=this.year + 2) + timedelta(days=2))  # the DEFAULT partition
    return times


def _fill():
    """What a database had before the migration, made by the app's own code."""
    ml = factories.structure("ML28", "ML", name="Mission locale de Dreux")
    holder = factories.holder(name="Léa Martin")
    passport = passports.passport_of(holder)
    share = sharing.create_share(
        passport, sections=["profile"], permissions=["read"], expires_in_days=7
    )
    token = share.token
    db.session.commit()
    times = _times()
    for _ in times:
        sharing.open_share(token, structure=ml)
    db.session.commit()
    ids = sorted(db.session.execute(db.select(AccessLogEntry.id)).scalars())
    for entry_id, at in zip(ids, times, strict=True):
        db.session.execute(
            text("UPDATE access_log SET at = :at WHERE id = :id"), {"at": at, "id": entry_id}
        )
    db.session.commit()
    db.session.expire_all()
    for entry_id in ids:  # the worker groups them: visits and their notifications
        visits.note(db.session.get(AccessLogEntry, entry_id))
        db.session.commit()
    # A notice of before visits, pointing to its row only.
    db.session.add(Notification(user_id=holder.id, access_id=ids[1], kind="access"))
    db.session.commit()
    return holder.id, passport.id, token, ml.id


def _rows(table: str) -> list[tuple]:
    query = text(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608  # our table names
    return [tuple(r) for r in db.session.execute(query)]


def _reads(holder_id: int, passport_id: int) -> dict:
    """What the holder's pages read: the log, the visits and their rows, the notices."""
    from passport.accounts.models import User
    from passport.passports.models import Passport

    db.session.expire_all()
    passport = db.session.get(Passport, passport_id)
    page = sharing.visits_page(passport, per_page=100).items
    notices = sharing.unread_notifications(db.session.get(User, holder_id))
    return {
        "log": [(e.id, e.at, e.action) for e in sharing.access_log(passport, per_page=100).items],
        "visits": {
            v: [e.id for e in entries]
            for v, entries in sharing.visit_entries(passport, page).items()
        },
        "ungrouped": [e.id for e in sharing.ungrouped_entries(passport)],
        "notices": [
            (n.id, n.visit_id, n.access.id if n.access else None, n.access_id) for n in notices
        ],
    }


def _snapshot() -> dict:
    return {t: _rows(t) for t in ("access_log", "visits", "notifications")}


def _where() -> dict[int, str]:
    """Each row's partition."""
    rows = db.session.execute(text("SELECT id, CAST(tableoid AS regclass) FROM access_log"))
    return {entry_id: str(name) for entry_id, name in rows}


def _notifications_foreign_keys() -> list[str]:
    keys = inspect(db.engine).get_foreign_keys("notifications")
    return [fk["referred_table"] for fk in keys]


def _migrate(step, revision: str) -> None:
    db.session.remove()
    step(revision=revision)
    db.session.remove()


def _new_row(token: str, structure_id: int) -> int:
    from passport.structures.models import Structure

    sharing.open_share(token, structure=db.session.get(Structure, structure_id))
    db.session.commit()
    return db.session.execute(db.select(db.func.max(AccessLogEntry.id))).scalar_one()


def test_the_partitioning_migration_keeps_every_row(empty_database_url, tmp_path):  # noqa: F811
    app = _app(TestingConfig, empty_database_url, tmp_path)
    app.instance_path = str(tmp_path / "instance")  # the job queue's file, not the repo's
    with app.app_context():
        upgrade(revision=BEFORE)
        holder_id, passport_id, token, ml_id = _fill()
        before, reads = _snapshot(), _reads(holder_id, passport_id)
        assert len(before["access_log"]) >= 20 and len(before["visits"]) >= 6
        assert "access_log" in _notifications_foreign_keys()

        _migrate(upgrade, PARTITIONED)
        assert _snapshot() == before
        assert _reads(holder_id, passport_id) == reads
        assert "access_log" not in _notifications_foreign_keys()
        if _postgresql():
            connection = db.session.connection()
            names = partitions.month_partitions(connection)
            months = {partitions.month_start(r[-1]) for r in before["access_log"]}
            now = partitions.month_start(utcnow())
            wanted = {m for m in months if m <= now} | {now, partitions.next_month(now)}
            assert set(names) == {partitions.partition_name(m) for m in wanted}
            where = _where()
            for row in before["access_log"]:
                month = partitions.month_start(row[-1])
                expected = (
                    partitions.partition_name(month) if month in wanted else partitions.DEFAULT
                )
                assert where[row[0]] == expected, row
            # Six months of rows and the one far ahead: seven partitions hold rows.
            assert len(set(where.values())) == 7 and partitions.DEFAULT in where.values()
            # The sequence belongs to the new table (dropping the old one kept it).
            serial = "SELECT pg_get_serial_sequence('access_log', 'id')"
            assert db.session.execute(text(serial)).scalar_one() == "public.access_log_id_seq"
        else:  # one table, no partition
            tables = inspect(db.engine).get_table_names()
            assert [t for t in tables if t.startswith("access_log")] == ["access_log"]

        # New rows go on from the same sequence, in this month's partition.
        last = max(r[0] for r in before["access_log"])
        new_id = _new_row(token, ml_id)
        assert new_id > last
        if _postgresql():
            assert _where()[new_id] == partitions.partition_name(partitions.month_start(utcnow()))
        kept = _snapshot()
        assert kept["access_log"][:-1] == before["access_log"]
        # A notice whose row is gone (no foreign key now): the downgrade deletes it, as the
        # ON DELETE CASCADE it brings back would have.
        dangling = Notification(user_id=holder_id, access_id=new_id + 1000, kind="access")
        db.session.add(dangling)
        db.session.commit()
        dangling_id = dangling.id

        _migrate(downgrade, BEFORE)
        assert _snapshot() == kept
        assert db.session.get(Notification, dangling_id) is None
        assert "access_log" in _notifications_foreign_keys()
        if _postgresql():
            kind = "SELECT relkind FROM pg_class WHERE relname = 'access_log'"
            assert db.session.execute(text(kind)).scalar_one() == "r"
            assert inspect(db.engine).get_pk_constraint("access_log")["constrained_columns"] == [
                "id"
            ]
        assert _new_row(token, ml_id) > new_id

        _migrate(upgrade, PARTITIONED)
        again = _snapshot()
        assert again["access_log"][:-1] == kept["access_log"]
        old = {e[0] for e in reads["log"]}
        log = _reads(holder_id, passport_id)["log"]
        assert [e for e in log if e[0] in old] == reads["log"] and len(log) == len(old) + 2
        db.session.remove()
        db.engine.dispose()
