"""A migration that rebuilds a table keeps the rows that point at it, and what they point at.

On SQLite most ALTERs rebuild the table (copy, DROP, rename). With the app's ``PRAGMA
foreign_keys=ON`` the DROP deletes the old rows first and fires the ON DELETE of every
table pointing at them: a training's ``supersedes_id`` (SET NULL, and covered by the
training's hash) emptied, child rows deleted (CASCADE). ``migrations/env.py`` turns foreign
keys off around the migrations on SQLite and checks them after, as SQLite documents.

Here: trainings edited twice (a chain of versions) and a structure's signed reception,
before a7c3e5f1b9d2 (which widens ``trainings.hours``: a rebuild on SQLite), then upgrade
and downgrade; every link stays and the passport still verifies.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from config import TestingConfig
from passport.extensions import db
from passport.passports import services as passports
from passport.records import services as records
from passport.trust.export import build_bundle
from passport.trust.verify import verify_bundle
from tests import factories
from tests.test_restart_and_migrations import _app, empty_database_url  # noqa: F401  # fixture

BEFORE, WIDENED = "151a91e997d1", "a7c3e5f1b9d2"


def _links() -> list[tuple]:
    return list(
        db.session.execute(
            text("SELECT id, supersedes_id, superseded FROM trainings ORDER BY id")
        ).all()
    )


def _verifies(passport_id: int) -> bool:
    db.session.expire_all()
    passport = db.session.get(passports.Passport, passport_id)
    return verify_bundle(build_bundle(passport), None).valid


def test_a_table_rebuild_keeps_the_links_that_point_at_it(empty_database_url, tmp_path):  # noqa: F811
    app = _app(TestingConfig, empty_database_url, tmp_path)
    with app.app_context():
        upgrade(revision=BEFORE)
        ml = factories.structure("ML28", "ML", name="Mission locale de Dreux")
        holder = factories.holder(name="Léa Martin")
        passport = passports.passport_of(holder)
        first = records.declare_training(
            passport, title="CACES R489", provider="AFPA", hours=Decimal("7"),
            start_date=date(2026, 3, 2), status="completed",
        )  # fmt: skip
        second = records.edit_training(passport, first.id, hours=Decimal("14"))
        records.edit_training(passport, second.id, title="CACES R489 catégorie 3")
        db.session.commit()
        advisor = factories.staff("advisor", ml, name="Paul Roux")
        records.record_reception(
            ml, passport.id, advisor=advisor, date=date(2026, 5, 20),
            channel="in_person", needs=["vae"], summary="Premier accueil",
        )  # fmt: skip
        db.session.commit()
        before = _links()
        assert [row[1] for row in before] == [None, before[0][0], before[1][0]]
        assert _verifies(passport.id)
        passport_id = passport.id
        db.session.remove()

        upgrade(revision=WIDENED)
        assert _links() == before
        assert _verifies(passport_id)
        db.session.remove()

        downgrade(revision=BEFORE)
        assert _links() == before
        assert _verifies(passport_id)
        db.session.remove()

        upgrade()
        assert _links() == before
        assert _verifies(passport_id)
        if db.engine.dialect.name == "sqlite":  # the app's connections keep their checks
            with db.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.session.remove()
        db.engine.dispose()
