"""``load_records``: the objects of the one-query load are the ones an ORM query gives."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import inspect

from passport.extensions import db
from passport.passports import services as passports
from passport.passports.loading import RECORD_MODELS, SECTION_MODELS, load_records
from passport.passports.models import Correction, CpfStatement, Referral, ReferralEvent
from passport.records import services as records
from tests import factories


@pytest.fixture
def filled(ctx):
    """A passport with every kind of record, free texts and an appointment; its id."""
    ml = factories.structure("ML28", "ML")
    cap = factories.structure("CAP28", "CAP")
    advisor = factories.staff("advisor", ml, name="Camille Roux")
    passport = passports.passport_of(factories.holder())
    records.record_reception(
        ml,
        passport.id,
        date=date(2026, 5, 20),
        channel="phone",
        needs=["vae", "job_search"],
        advisor=advisor,
        summary="Texte libre, chiffré au repos.",
    )
    referral = records.send_referral(ml, passport.id, cap, needs=["job_search"], message="Bonjour")
    records.change_referral_status(referral, cap, "received", note="Reçu")
    records.change_referral_status(
        referral,
        cap,
        "appointment",
        appointment=records.Appointment(
            at=datetime(2026, 6, 1, 9, 30, tzinfo=UTC), place="Dreux", contact="Mme Roux"
        ),
    )
    records.attest_training(ml, passport.id, title="CACES", status="completed", hours="35.5")
    old = records.declare_training(passport, title="CAP cuisine", status="planned")
    records.edit_training(passport, old.id, status="in_progress")
    records.declare_cpf(passport, date(2026, 1, 1), Decimal("1250.50"))
    db.session.commit()
    passport_id = passport.id
    db.session.remove()
    return passport_id


def _columns(obj) -> dict:
    return {attr.key: getattr(obj, attr.key) for attr in inspect(type(obj)).column_attrs}


def test_every_record_equals_what_the_orm_loads_column_by_column(filled):
    found = load_records(filled, SECTION_MODELS)
    loaded = {(type(o), o.id): _columns(o) for objs in found.values() for o in objs}
    related = {
        (type(o), o.id): {
            name: _columns(getattr(o, name))
            for name in ("issuer_structure", "issuer_advisor", "to_structure")
            if hasattr(o, name) and getattr(o, name) is not None
        }
        for objs in found.values()
        for o in objs
    }
    assert sum(1 for _ in loaded) == 7  # the superseded training left out
    db.session.remove()  # a fresh session: what the ORM itself gives
    for model in RECORD_MODELS:
        for obj in db.session.execute(db.select(model)).unique().scalars():
            if getattr(obj, "superseded", False):
                assert (model, obj.id) not in loaded
                continue
            assert loaded[(model, obj.id)] == _columns(obj)
            for name, columns in related[(model, obj.id)].items():
                assert columns == _columns(getattr(obj, name))


def test_the_objects_are_persistent_and_read_without_another_query(filled, app, count_queries):
    with count_queries() as q:
        found = load_records(filled, ["receptions", "referrals", "trainings"])
        (reception,) = found[next(iter(SECTION_MODELS["receptions"]))]
        assert reception.summary == "Texte libre, chiffré au repos."
        assert reception.issuer_advisor.full_name == "Camille Roux"
        assert reception.issuer_structure.code == "ML28"
        (referral,) = found[Referral]
        assert referral.to_structure.code == "CAP28"
        assert [e.status for e in referral.events] == ["received", "appointment"]
        assert referral.events[0].referral is referral
        assert referral.appointment.appointment_place == "Dreux"
        assert referral.events[1].appointment_at == datetime(2026, 6, 1, 9, 30, tzinfo=UTC)
    assert q.count == 1, q.statements
    assert all(inspect(o).persistent for objs in found.values() for o in objs)
    assert not db.session.dirty and not db.session.new
    assert all(db.session.identity_map.get(inspect(o).key) is o for o in found[Referral])
    # an ordinary object: expired, it loads again from the session; a change is flushed
    db.session.expire(reception, ["summary"])
    assert reception.summary == "Texte libre, chiffré au repos."
    reception.outcome = "answered"
    model, reception_id = type(reception), reception.id
    db.session.commit()
    db.session.remove()
    assert db.session.get(model, reception_id).outcome == "answered"


def test_objects_already_in_the_session_are_kept_and_filled(filled):
    event = db.session.execute(db.select(ReferralEvent)).scalars().first()
    found = load_records(filled, ["referrals"])
    assert event in found[ReferralEvent]
    assert event.issuer_structure.code == "CAP28"


def test_sections_load_only_their_tables(filled, count_queries):
    found = load_records(filled, ["cpf"])
    # The section's tables, and the corrections of its records (none here).
    assert list(found) == [*SECTION_MODELS["cpf"], Correction]
    assert found[Correction] == []
    (statement,) = found[CpfStatement]
    assert statement.balance_cents == 125050
    assert load_records(filled, []) == {}
