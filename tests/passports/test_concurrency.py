"""Two parallel edits of one self-declared version: one wins, the other is told (no fork)."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

from passport.extensions import db
from passport.passports import services as passports
from passport.passports.models import Correction, CpfStatement, Reception, Training
from passport.records import services as records
from passport.structures.services import get_structure
from tests import factories


def _race(app, edit, n: int = 6, refused=records.NotEditable) -> list[str]:
    barrier = threading.Barrier(n)
    outcomes: list[str] = []

    def worker(i: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                edit(i)
                db.session.commit()
                outcomes.append("edited")
            except refused:
                db.session.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_parallel_edits_of_one_training_leave_one_current_version(app):
    with app.app_context():
        passport = passports.passport_of(factories.holder())
        pid = passport.id
        tid = records.declare_training(passport, title="CAP", status="planned").id
        db.session.commit()

    def edit(i):
        passport = db.session.get(passports.Passport, pid)
        records.edit_training(passport, tid, title=f"CAP version {i}")

    outcomes = _race(app, edit)
    assert sorted(outcomes) == ["edited"] + ["refused"] * 5
    with app.app_context():
        current = (
            db.session.execute(
                db.select(Training).where(
                    Training.passport_id == pid, Training.superseded.is_(False)
                )
            )
            .scalars()
            .all()
        )
        assert len(current) == 1


def test_parallel_corrections_of_one_cpf_statement_leave_one_current_version(app):
    with app.app_context():
        passport = passports.passport_of(factories.holder())
        pid = passport.id
        sid = records.declare_cpf(passport, date(2026, 1, 1), Decimal("100")).id
        db.session.commit()

    def edit(i):
        passport = db.session.get(passports.Passport, pid)
        records.edit_cpf(passport, sid, date(2026, 1, 1), Decimal(100 + i))

    outcomes = _race(app, edit)
    assert outcomes.count("edited") == 1
    with app.app_context():
        current = (
            db.session.execute(
                db.select(CpfStatement).where(
                    CpfStatement.passport_id == pid, CpfStatement.superseded.is_(False)
                )
            )
            .scalars()
            .all()
        )
        assert len(current) == 1


def test_parallel_withdrawals_of_one_record_leave_one_correction(app):
    with app.app_context():
        ml = factories.structure("ML28", "ML")
        passport = passports.passport_of(factories.holder())
        rid = records.record_reception(
            ml, passport.id, date=date(2026, 5, 20), channel="phone", needs=["vae"]
        ).id
        db.session.commit()

    def withdraw(i):
        record = db.session.get(Reception, rid)
        records.correct_record(
            get_structure("ML28"), record, action="withdraw", reason=f"raison {i}"
        )

    outcomes = _race(app, withdraw, refused=records.AlreadyCorrected)
    assert sorted(outcomes) == ["edited"] + ["refused"] * 5
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Correction.id))).scalar_one() == 1
