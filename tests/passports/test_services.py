"""Passport services: reading by section, what the holder declares, immutability."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from passport.extensions import db
from passport.passports import services as passports
from passport.passports.models import CpfStatement, Training
from passport.records import services as records
from passport.trust.canonical import chain_hash, record_content
from tests import factories


@pytest.fixture
def passport(ctx):
    return passports.passport_of(factories.holder())


def test_declare_and_edit_training_keeps_history(passport):
    t1 = records.declare_training(passport, title="CAP cuisine", status="planned")
    t2 = records.edit_training(passport, t1.id, status="in_progress", hours=Decimal("400"))
    db.session.commit()
    assert t2.supersedes_id == t1.id
    assert t1.superseded and not t2.superseded
    assert t2.title == "CAP cuisine" and t2.status == "in_progress"
    view = passports.load_view(passport)
    assert [t.id for t in view.trainings] == [t2.id]
    all_rows = db.session.execute(db.select(Training)).scalars().all()
    assert len(all_rows) == 2  # the old version stays in the chain


def test_old_version_cannot_be_edited_again(passport):
    t1 = records.declare_training(passport, title="CAP", status="planned")
    records.edit_training(passport, t1.id, status="completed")
    with pytest.raises(records.NotEditable):
        records.edit_training(passport, t1.id, status="abandoned")


def test_attested_training_cannot_be_edited_by_holder(passport):
    structure = factories.structure("FT-T", type_="FT")
    attested = records.attest_training(
        structure, passport.id, title="Titre pro", status="completed"
    )
    with pytest.raises(records.NotEditable):
        records.edit_training(passport, attested.id, title="Forged")
    assert attested.signature and attested.issuer_structure_id == structure.id


def test_cannot_touch_another_holders_records(passport):
    other = passports.passport_of(factories.holder())
    theirs = records.declare_training(other, title="Theirs", status="planned")
    with pytest.raises(records.RecordNotFound):
        records.edit_training(passport, theirs.id, title="Mine now")
    statement = records.declare_cpf(other, date(2026, 1, 1), Decimal("10"))
    with pytest.raises(records.RecordNotFound):
        records.edit_cpf(passport, statement.id, date(2026, 1, 1), Decimal("9999"))


def test_cpf_latest_statement_is_balance_and_edit_supersedes(passport):
    old = records.declare_cpf(passport, date(2025, 1, 1), Decimal("1500"))
    new = records.declare_cpf(passport, date(2026, 1, 1), Decimal("2000.10"), dif_hours=20)
    assert passports.load_view(passport, ("cpf",)).cpf_current == new
    fixed = records.edit_cpf(passport, new.id, date(2026, 1, 1), Decimal("2000.01"))
    view = passports.load_view(passport, ("cpf",))
    assert view.cpf_current == fixed
    assert fixed.balance == Decimal("2000.01")
    assert [s.id for s in view.cpf_statements] == [fixed.id, old.id]
    assert db.session.scalar(db.select(db.func.count()).select_from(CpfStatement)) == 3


@pytest.mark.parametrize(
    ("euros", "cents"),
    [
        (Decimal("0"), 0),
        (Decimal("0.1"), 10),
        (Decimal("1234.565"), 123457),
        (Decimal("5000"), 500000),
    ],
)
def test_to_cents(euros, cents):
    assert records.to_cents(euros) == cents


def test_records_form_one_chain_across_kinds(passport):
    structure = factories.structure("ML-T")
    r1 = records.declare_training(passport, title="A", status="planned")
    r2 = records.record_reception(
        structure, passport.id, date=date(2026, 5, 20), channel="phone", needs=["orientation"]
    )
    r3 = records.declare_cpf(passport, date(2026, 5, 1), Decimal("800"))
    db.session.commit()
    assert [r.seq for r in (r1, r2, r3)] == [1, 2, 3]
    assert r2.prev_hash == r1.hash and r3.prev_hash == r2.hash
    for record in (r1, r2, r3):
        assert record.hash == chain_hash(record.seq, record.prev_hash, record_content(record))
    db.session.refresh(passport)
    assert passport.head_seq == 3 and passport.head_hash == r3.hash


def test_profile_update_rejects_unknown_fields(passport):
    passports.update_profile(passport, birth_year=2001, department="28")
    assert passport.department == "28"
    with pytest.raises(ValueError, match="unknown profile field"):
        passports.update_profile(passport, holder_id=99)


def test_timeline_is_newest_first(passport):
    a = records.declare_training(passport, title="A", status="planned")
    b = records.declare_cpf(passport, date(2026, 1, 1), Decimal("1"))
    assert passports.load_view(passport).timeline() == [b, a]


def test_hours_are_rounded_to_the_hundredth_before_hashing(passport):
    training = records.declare_training(
        passport, title="A", status="planned", hours=Decimal("1.125")
    )
    db.session.commit()
    db.session.expire(training)
    assert training.hours == Decimal("1.13")
    assert training.hash == chain_hash(training.seq, training.prev_hash, record_content(training))


def test_profile_update_counts_as_activity(passport):
    from datetime import timedelta

    from passport.db import utcnow

    passport.last_activity_at = utcnow() - timedelta(days=800)
    db.session.commit()
    passports.update_profile(passport, department="28")
    db.session.commit()
    assert passport.last_activity_at > utcnow() - timedelta(minutes=1)


def test_append_to_an_erased_passport_is_a_clear_error(passport):
    from passport.records.chain import PassportGone
    from passport.trust.erasure import erase_holder

    pid, holder_id = passport.id, passport.holder_id
    db.session.commit()
    erase_holder(holder_id)
    db.session.commit()
    structure = factories.structure("ML-G")
    with pytest.raises(PassportGone):
        records.record_reception(
            structure, pid, date=date(2026, 1, 1), channel="phone", needs=["vae"]
        )
