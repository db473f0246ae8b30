"""``flask --app wsgi purge``: inactive passports (2 years) and old access-log entries (1 year)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from passport.accounts.models import User
from passport.db import utcnow
from passport.extensions import db
from passport.notifications.models import JobKey
from passport.passports.models import Passport
from passport.sharing.models import AccessLogEntry
from passport.trust import retention
from tests import factories as f
from tests.trust.conftest import HOLDER_EMAIL, HOLDER_NAME
from tests.trust.test_erasure import _counts, leaks, raw_rows


def _age(
    app,
    world,
    *,
    passport_days=None,
    login_days=None,
    user_id=None,
    passport_id=None,
    told_days=31,
):
    """Age the holder's passport and last login; ``told_days`` ago the worker sent the purge
    notice of that cycle (None: never), as it does 30 days ahead (tests/notifications)."""
    now = utcnow()
    with app.app_context():
        if passport_days is not None:
            db.session.execute(
                update(Passport)
                .where(Passport.id == (passport_id or world.passport_id))
                .values(last_activity_at=now - timedelta(days=passport_days))
            )
        if login_days is not None:
            db.session.execute(
                update(User)
                .where(User.id == (user_id or world.holder_id))
                .values(last_login_at=now - timedelta(days=login_days))
            )
        if told_days is not None:
            user = db.session.get(User, user_id or world.holder_id)
            passport = db.session.get(Passport, passport_id or world.passport_id)
            key = retention.purge_notice_key(passport, retention.last_activity(user, passport))
            db.session.merge(JobKey(key=key, done_at=now - timedelta(days=told_days)))
        db.session.commit()


def _access_log(app, client, world, old: int, recent: int) -> None:
    r = client.post(
        "/api/v1/me/shares",
        json={"sections": ["trainings"], "permissions": ["read"], "expires_in_days": 7},
        headers=f.bearer(world.other_token),
    )
    token = r.get_json()["url"].rsplit("/s/", 1)[1]
    for _ in range(old + recent):
        assert (
            client.get(f"/api/v1/shared/{token}", headers=f.bearer(world.ml_key)).status_code == 200
        )
    with app.app_context():
        ids = (
            db.session.execute(
                db.select(AccessLogEntry.id)
                .where(AccessLogEntry.share_id.is_not(None))  # the uses of the share above
                .order_by(AccessLogEntry.id)
            )
            .scalars()
            .all()
        )
        db.session.execute(
            update(AccessLogEntry)
            .where(AccessLogEntry.id.in_(ids[:old]))
            .values(at=utcnow() - timedelta(days=400))
        )
        db.session.commit()


def test_purge_dry_run_then_for_real(app, client, cli_app, runner, world):
    _age(app, world, passport_days=800)
    _access_log(app, client, world, old=3, recent=2)
    before = _counts(app)

    result = runner.invoke(args=["purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert ": 1 seraient effacés" in result.output
    assert ": 3 seraient effacés" in result.output
    assert leaks(app, [HOLDER_EMAIL])  # nothing changed
    # 5 uses of shares, and the referral's status change by the receiving structure.
    assert len(raw_rows(app)["access_log"]) == 6

    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert ": 1 effacés" in result.output and ": 3 effacés" in result.output
    assert "1 accueil(s), 1 orientation(s), 1 changement(s) de statut" in result.output
    assert leaks(app, [HOLDER_EMAIL, HOLDER_NAME]) == []
    assert _counts(app) == before  # statistics keep their counts
    assert len(raw_rows(app)["access_log"]) == 2
    # the other holder, active, is untouched and their export still verifies
    bundle = client.get("/api/v1/me/export", headers=f.bearer(world.other_token)).get_json()
    assert client.post("/api/v1/verify", json=bundle).get_json()["valid"] is True

    again = runner.invoke(args=["purge"])
    assert ": 0 effacés" in again.output


def test_a_holder_who_logs_in_is_active(app, world):
    _age(app, world, passport_days=800, login_days=30)
    with app.app_context():
        assert retention.purge(dry_run=True).holders == 0
    _age(app, world, login_days=731)
    with app.app_context():
        assert retention.purge(dry_run=True).holders == 1


def test_recent_activity_is_kept(app, world):
    _age(app, world, passport_days=729)
    with app.app_context():
        report = retention.purge()
        db.session.commit()
    assert report.holders == 0
    assert leaks(app, [HOLDER_EMAIL])


def test_a_holder_not_yet_told_is_kept_until_the_notice_period_ends(app, world):
    _age(app, world, passport_days=800, told_days=None)
    with app.app_context():
        assert retention.purge(dry_run=True).holders == 0  # never told: kept
    _age(app, world, passport_days=800, told_days=29)
    with app.app_context():
        assert retention.purge(dry_run=True).holders == 0  # told 29 days ago: kept
    _age(app, world, passport_days=800, told_days=30)
    with app.app_context():
        assert retention.purge(dry_run=True).holders == 1


def test_retention_periods_come_from_the_configuration(app, world):
    _age(app, world, passport_days=40)
    app.config["RETENTION_PASSPORT_DAYS"] = 30
    with app.app_context():
        report = retention.purge()
        db.session.commit()
    assert report.holders == 1
    assert leaks(app, [HOLDER_EMAIL]) == []
