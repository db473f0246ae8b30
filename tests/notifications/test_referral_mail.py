"""Referrals that reach people: mails to the receiving structure, the sender, the holder;
reminders; the appointment as data and as an .ics file; decline reasons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from icalendar import Calendar

from passport.accounts.models import User
from passport.extensions import db
from passport.notifications import preferences
from passport.sharing.models import AccessLogEntry
from passport.structures.models import Structure
from tests.mailbox import burst, html_of, outbox, text_of
from tests.referrals import APPOINTMENT, appointment_at, body_for
from tests.sharing.world import build_world, make_share


@pytest.fixture
def world(app):
    return build_world(app)


def _email(name: str) -> str:
    return db.session.execute(db.select(User.email).where(User.full_name == name)).scalar_one()


def _refer(client, world, to="CAP28", needs=("job_search",)) -> tuple[dict, str]:
    share = make_share(client, world)
    r = client.post(
        f"/api/v1/shared/{share['token']}/referrals",
        json={"to_structure": to, "needs": list(needs), "message": "RQTH en cours."},
        headers=world.advisor,
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json(), share["token"]


def _patch(client, world, referral_id: int, body: dict, headers=None):
    return client.patch(
        f"/api/v1/referrals/{referral_id}", json=body, headers=headers or world.cap_advisor
    )


def _to(app, address: str):
    return [m for m in outbox(app) if m["To"] == address]


def test_a_new_referral_mails_the_receiving_structure(app, client, runner, ctx, world):
    referral, token = _refer(client, world)
    assert outbox(app) == []  # the request itself sends nothing
    burst(runner)
    [mail] = _to(app, _email("Sami Haddad"))  # CAP28 has no address: its advisor
    body = text_of(mail)
    assert "Mission locale de Dreux" in body and "Recherche d'emploi" in body
    assert f"/espace/orientations/{referral['id']}" in body
    assert "Région Centre-Val de Loire" in body  # the operator
    assert "/compte/e-mails" in body  # the preferences link
    html = html_of(mail)
    assert "<a href=" in html
    # Nothing about the person beyond the fiche, and never a share token.
    for secret in ("Léa", "Martin", "RQTH", token):
        assert secret not in body and secret not in html
    burst(runner)
    assert len(_to(app, _email("Sami Haddad"))) == 1


def test_the_structure_address_is_used_when_it_has_one(app, client, runner, ctx, world):
    cap = db.session.execute(db.select(Structure).where(Structure.code == "CAP28")).scalar_one()
    cap.email = "orientations@cap28.example.org"
    db.session.commit()
    _refer(client, world)
    burst(runner)
    assert len(_to(app, "orientations@cap28.example.org")) == 1
    assert _to(app, _email("Sami Haddad")) == []


def test_patch_checks_appointment_and_reason(client, world):
    referral, _ = _refer(client, world)
    rid = referral["id"]
    assert (
        _patch(client, world, rid, {"status": "received", "reason": "duplicate"}).status_code == 422
    )
    assert _patch(client, world, rid, {"status": "received"}).status_code == 200
    r = _patch(client, world, rid, {"status": "appointment"})
    assert r.status_code == 422 and "appointment" in r.get_json()["errors"]
    naive = {"status": "appointment", "appointment": {"at": "2026-06-02T14:30:00"}}
    assert _patch(client, world, rid, naive).status_code == 422
    far = {"status": "appointment", "appointment": {"at": "2999-06-02T14:30:00Z"}}
    assert _patch(client, world, rid, far).status_code == 422
    unknown = {"status": "declined", "reason": "bored"}
    assert _patch(client, world, rid, unknown).status_code == 422
    r = _patch(client, world, rid, {"status": "declined"})
    assert r.status_code == 422 and "reason" in r.get_json()["errors"]
    r = _patch(client, world, rid, body_for("appointment"))
    assert r.status_code == 200
    body = r.get_json()
    assert body["appointment"] == {
        "at": body_for("appointment")["appointment"]["at"],
        **APPOINTMENT,
    }
    assert body["history"][-1]["appointment"] == body["appointment"]


def test_each_status_change_mails_the_sender(app, client, runner, ctx, world):
    referral, _ = _refer(client, world)
    for status in ("received", "appointment", "completed"):
        assert _patch(client, world, referral["id"], body_for(status)).status_code == 200
    burst(runner)
    mails = _to(app, _email("Camille Roux"))
    assert len(mails) == 3
    subjects = [m["Subject"] for m in mails]
    assert any("Reçue" in s for s in subjects) and any("Terminée" in s for s in subjects)
    appointment = next(m for m in mails if "Rendez-vous fixé" in m["Subject"])
    assert "CIO de Dreux, 2 rue de Châteaudun" in text_of(appointment)
    assert "Mme Bernard" in text_of(appointment)


def test_a_decline_gives_its_reason_and_other_structures(app, client, runner, ctx, world):
    from tests import factories

    factories.structure("PLIE28", "ML", name="PLIE du Drouais", needs=["job_search"])
    factories.structure("CIO45", "CIO", name="CIO d'Orléans", department="45", needs=["job_search"])
    referral, _ = _refer(client, world)
    r = _patch(client, world, referral["id"], {"status": "declined", "reason": "no_capacity"})
    assert r.status_code == 200 and r.get_json()["reason"] == "no_capacity"
    burst(runner)
    [mail] = _to(app, _email("Camille Roux"))
    body = text_of(mail)
    assert "Raison : Plus de place disponible" in body
    assert "PLIE du Drouais" in body and "France Travail Dreux" in body
    assert "CIO d'Orléans" not in body  # another department
    assert "Mission locale de Dreux" not in body.split("département :")[1]  # not the sender


def test_the_holder_hears_of_the_appointment_and_gets_the_ics(app, client, runner, ctx, world):
    referral, _ = _refer(client, world)
    _patch(client, world, referral["id"], body_for("received"))
    r = client.get(f"/api/v1/me/referrals/{referral['id']}/appointment.ics", headers=world.holder)
    assert r.status_code == 404  # no appointment yet
    _patch(client, world, referral["id"], body_for("appointment"))
    burst(runner)
    holder_email = db.session.get(User, world.holder_id).email
    [mail] = _to(app, holder_email)
    assert "Rendez-vous fixé avec Cap emploi 28" in mail["Subject"]
    assert f"/passeport/orientations/{referral['id']}/rendez-vous.ics" in text_of(mail)

    r = client.get(f"/api/v1/me/referrals/{referral['id']}/appointment.ics", headers=world.holder)
    assert r.status_code == 200 and r.mimetype == "text/calendar"
    calendar = Calendar.from_ical(r.data)
    [event] = calendar.walk("VEVENT")
    expected = datetime.strptime(appointment_at(), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert event.decoded("dtstart") == expected
    assert str(event["location"]) == APPOINTMENT["place"]
    assert str(event["contact"]) == APPOINTMENT["contact"]
    assert "Cap emploi 28" in str(event["summary"])
    # Someone else's referral, or an unknown one: 404.
    other = client.get(
        f"/api/v1/me/referrals/{referral['id']}/appointment.ics", headers=world.other_holder
    )
    assert other.status_code == 404
    assert (
        client.get(
            "/api/v1/me/referrals/99999999999/appointment.ics", headers=world.holder
        ).status_code
        == 404
    )


def test_a_holder_who_turned_the_mail_off_gets_none(app, client, runner, ctx, world):
    holder = db.session.get(User, world.holder_id)
    preferences.save_preferences(holder, appointments=False)
    db.session.commit()
    referral, _ = _refer(client, world)
    _patch(client, world, referral["id"], body_for("received"))
    _patch(client, world, referral["id"], body_for("appointment"))
    burst(runner)
    assert _to(app, holder.email) == []


def test_a_status_change_is_in_the_holders_access_log(client, ctx, world):
    referral, _ = _refer(client, world)
    before = (
        db.session.execute(
            db.select(AccessLogEntry).where(AccessLogEntry.passport_id == world.passport_id)
        )
        .scalars()
        .all()
    )
    _patch(client, world, referral["id"], body_for("received"))
    db.session.expire_all()
    after = (
        db.session.execute(
            db.select(AccessLogEntry)
            .where(AccessLogEntry.passport_id == world.passport_id)
            .order_by(AccessLogEntry.id)
        )
        .scalars()
        .all()
    )
    assert len(after) == len(before) + 1
    assert after[-1].action == "append" and after[-1].structure.code == "CAP28"
    assert after[-1].share_id is None


def test_a_referral_left_sent_is_recalled_once(app, client, runner, ctx, world):
    # Tuesday 2 June 2026; the reminder comes after 3 working days.
    start = datetime(2026, 6, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        referral, _ = _refer(client, world)
        answered, _ = _refer(client, world)
        _patch(client, world, answered["id"], body_for("received"))
        burst(runner)
    sami = _email("Sami Haddad")
    assert len(_to(app, sami)) == 2  # the two new referrals
    with time_machine.travel(start + timedelta(days=2), tick=False):
        burst(runner, "--schedule")
    assert len(_to(app, sami)) == 2  # two working days: not yet
    with time_machine.travel(start + timedelta(days=3, hours=1), tick=False):
        burst(runner, "--schedule")
        burst(runner, "--schedule")
    reminders = [m for m in _to(app, sami) if m["Subject"].startswith("Rappel")]
    assert len(reminders) == 1
    assert f"/espace/orientations/{referral['id']}" in text_of(reminders[0])


def test_working_days_skip_weekends_and_holidays():
    from datetime import date

    from passport.notifications.referrals import working_days_between

    assert working_days_between(date(2026, 6, 5), date(2026, 6, 8)) == 1  # Fri -> Mon
    assert working_days_between(date(2026, 7, 13), date(2026, 7, 15)) == 1  # 14 July
    assert working_days_between(date(2026, 6, 8), date(2026, 6, 8)) == 0
