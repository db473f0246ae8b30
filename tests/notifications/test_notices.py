"""Mails that warn the holder: a share about to expire, a passport about to be purged.

Both run on the worker's schedule (``worker --burst --schedule``), once per event, with the
clock moved by time-machine.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from passport.accounts.models import User
from passport.extensions import db
from passport.notifications import preferences
from passport.passports.models import Passport
from passport.trust.retention import purge
from tests import factories
from tests.mailbox import burst, html_of, outbox, text_of
from tests.sharing.world import build_world, make_share
from tests.web import login

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(app):
    return build_world(app)


def _holder(app, world) -> str:
    with app.app_context():
        return db.session.get(User, world.holder_id).email


def _to(app, address: str, subject_start: str):
    return [m for m in outbox(app) if m["To"] == address and m["Subject"].startswith(subject_start)]


def test_a_share_about_to_expire_is_announced_once(app, client, runner, world):
    with time_machine.travel(START, tick=False):
        share = make_share(client, world, expires_in_days=30, label="Bilan CIO", structure="ML28")
        short = make_share(client, world, expires_in_days=1)  # ends tomorrow: chosen just now
        revoked = make_share(client, world, expires_in_days=30)
        client.delete(f"/api/v1/me/shares/{revoked['id']}", headers=world.holder)
        burst(runner, "--schedule")
    address = _holder(app, world)
    assert _to(app, address, "Votre partage expire") == []  # 30 days left
    with time_machine.travel(START + timedelta(days=27, hours=23), tick=False):
        burst(runner, "--schedule")
    assert _to(app, address, "Votre partage expire") == []  # more than two days left
    with time_machine.travel(START + timedelta(days=28, hours=1), tick=False):
        burst(runner, "--schedule")
        burst(runner, "--schedule")
    with time_machine.travel(START + timedelta(days=29), tick=False):
        burst(runner, "--schedule")
    [mail] = _to(app, address, "Votre partage expire")
    assert mail["Subject"] == "Votre partage expire le 1er avril 2026 à 11:00"
    body = text_of(mail)
    assert "Le partage « Bilan CIO » de votre passeport expire le 1er avril 2026 à 11:00." in body
    assert "Il est destiné à : Mission locale de Dreux." in body
    assert "/partages/nouveau" in body and "/compte/e-mails" in body
    for token in (share["token"], short["token"], revoked["token"]):
        assert token not in body and token not in html_of(mail)


def test_no_expiry_mail_for_a_holder_who_turned_reminders_off(app, client, runner, world):
    with app.app_context():
        preferences.save_preferences(db.session.get(User, world.holder_id), reminders=False)
        db.session.commit()
    with time_machine.travel(START, tick=False):
        make_share(client, world, expires_in_days=10)
    with time_machine.travel(START + timedelta(days=9), tick=False):
        burst(runner, "--schedule")
    assert _to(app, _holder(app, world), "Votre partage expire") == []


def test_the_expiry_mail_goes_through_a_real_smtp_server(smtp_app, smtp, client, runner, world):
    with time_machine.travel(START, tick=False):
        make_share(client, world, expires_in_days=5)
    with time_machine.travel(START + timedelta(days=4), tick=False):
        burst(runner, "--schedule")
    expiring = [m for m in smtp.messages if m["Subject"].startswith("Votre partage expire")]
    assert len(expiring) == 1
    assert expiring[0]["X-Passport-Event"].startswith("share:")


def _age(app, user_id: int, last: datetime) -> None:
    with app.app_context():
        user = db.session.get(User, user_id)
        user.last_login_at = last
        passport = db.session.execute(
            db.select(Passport).where(Passport.holder_id == user_id)
        ).scalar_one()
        passport.last_activity_at = last
        db.session.commit()


def test_a_passport_about_to_be_purged_is_announced_once_per_cycle(app, runner):
    with app.app_context():
        lea = factories.holder("lea@example.org")
        active = factories.holder("noe@example.org", name="Noé Petit")
        lea_id, active_id = lea.id, active.id
    days = app.config["RETENTION_PASSPORT_DAYS"]
    _age(app, lea_id, START - timedelta(days=days - 31))
    _age(app, active_id, START - timedelta(days=10))
    with time_machine.travel(START, tick=False):
        burst(runner, "--schedule")
    assert _to(app, "lea@example.org", "Votre passeport sera effacé") == []  # 31 days left
    with time_machine.travel(START + timedelta(days=2), tick=False):
        burst(runner, "--schedule")
        burst(runner, "--schedule")
    with time_machine.travel(START + timedelta(days=3), tick=False):
        burst(runner, "--schedule")
    [mail] = _to(app, "lea@example.org", "Votre passeport sera effacé")
    # Sent at START + 2 days (29 days left): the purge waits the full 30 days from then.
    assert mail["Subject"] == "Votre passeport sera effacé le 3 avril 2026"
    body = " ".join(text_of(mail).split())
    assert "Un passeport sans activité pendant 2 ans est effacé" in body
    assert "/connexion" in body and "/mes-donnees" in body
    assert _to(app, "noe@example.org", "Votre passeport sera effacé") == []

    # Léa logs in: a new cycle. Two years of silence later, she is warned again.
    with time_machine.travel(START + timedelta(days=5), tick=False):
        login(app.test_client(), "lea@example.org")
    with time_machine.travel(START + timedelta(days=5 + days - 20), tick=False):
        burst(runner, "--schedule")
    assert len(_to(app, "lea@example.org", "Votre passeport sera effacé")) == 2
    # Within the notice, the purge itself has nothing to erase yet.
    with time_machine.travel(START + timedelta(days=5 + days - 20), tick=False), app.app_context():
        assert purge(dry_run=True).holders == 0


def test_the_purge_waits_for_the_notice_when_the_worker_was_down(app, runner):
    """Nobody is erased without the 30 days' warning: a notice sent late moves the purge."""
    with app.app_context():
        lea = factories.holder("lea@example.org")
        quiet = factories.holder("noe@example.org", name="Noé Petit")
        preferences.save_preferences(quiet, reminders=False)
        db.session.commit()
        lea_id, quiet_id = lea.id, quiet.id
    days = app.config["RETENTION_PASSPORT_DAYS"]
    # Both already past their retention period: the worker never ran the notices.
    _age(app, lea_id, START - timedelta(days=days + 3))
    _age(app, quiet_id, START - timedelta(days=days + 3))
    with time_machine.travel(START, tick=False), app.app_context():
        report = purge(dry_run=True)
        assert report.holders == 1  # Noé, who turned reminders off, is due; Léa is not told
    with time_machine.travel(START, tick=False):
        burst(runner, "--schedule")
    [mail] = _to(app, "lea@example.org", "Votre passeport sera effacé")
    assert mail["Subject"] == "Votre passeport sera effacé le 1er avril 2026"  # START + 30 days
    with time_machine.travel(START + timedelta(days=29), tick=False), app.app_context():
        purge()
        db.session.commit()
        assert db.session.get(User, lea_id) is not None  # 29 days after the notice: kept
        assert db.session.get(User, quiet_id) is None
    with time_machine.travel(START + timedelta(days=30, hours=1), tick=False), app.app_context():
        assert purge().holders == 1
        db.session.commit()
        assert db.session.get(User, lea_id) is None
