"""Retention limits (DOMAIN.md, Privacy): what ``flask --app wsgi purge`` erases.

- A passport with no activity for ``RETENTION_PASSPORT_DAYS`` (2 years, the CNIL reference
  for the social sector) is erased with its holder's account, exactly like an erasure the
  holder asks for (``passport.trust.erasure``): receptions and referrals stay as anonymous
  statistics. Activity is the later of ``Passport.last_activity_at`` (every record appended)
  and the holder's last login, so that a holder who comes back to read their passport is
  not purged.
- A holder who can be told (an active account that wants reminders) is erased only once the
  purge notice of the current cycle (``notifications.notices.purge_notices``) went out at
  least ``PURGE_NOTICE_DAYS`` (30) before: if the worker was down or late, the purge waits
  for the warning rather than erasing without one. Holders who turned reminders off are
  erased on schedule.
- Access-log entries older than ``RETENTION_ACCESS_LOG_DAYS`` (1 year) are deleted, with
  the notifications about them (``passport.sharing.services.purge_access_log``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_

from passport.accounts.models import User
from passport.db import utcnow
from passport.extensions import db
from passport.notifications.models import JobKey
from passport.notifications.preferences import wants
from passport.passports.models import Passport
from passport.sharing.models import AccessLogEntry
from passport.sharing.services import purge_access_log
from passport.trust.erasure import ErasureReport, erase_holder


@dataclass
class Cutoffs:
    """Anything last touched before these instants is past its retention period."""

    passports: datetime
    access_log: datetime

    @classmethod
    def now(cls, now: datetime | None = None) -> Cutoffs:
        now = now or utcnow()
        config = current_app.config
        return cls(
            passports=now - timedelta(days=int(config["RETENTION_PASSPORT_DAYS"])),
            access_log=now - timedelta(days=int(config["RETENTION_ACCESS_LOG_DAYS"])),
        )


@dataclass
class PurgeReport:
    cutoffs: Cutoffs
    dry_run: bool
    holders: int = 0
    access_log_entries: int = 0
    erasure: ErasureReport = field(default_factory=ErasureReport)


def _inactive(cutoff: datetime):
    return (
        db.select(User.id)
        .join(Passport, Passport.holder_id == User.id)
        .where(
            Passport.last_activity_at < cutoff,
            or_(User.last_login_at.is_(None), User.last_login_at < cutoff),
        )
    )


def inactive_holders(cutoff: datetime) -> list[int]:
    """Ids of the holders whose passport has seen no activity since ``cutoff``."""
    return list(db.session.execute(_inactive(cutoff).order_by(User.id)).scalars())


def last_activity(user: User, passport: Passport) -> datetime:
    """The instant a passport's retention period runs from."""
    return max(passport.last_activity_at, user.last_login_at or passport.last_activity_at)


def purge_notice_key(passport: Passport, activity: datetime) -> str:
    """The job key of the purge notice of one cycle (one instant of last activity)."""
    return f"purge-notice:{passport.id}:{activity:%Y%m%dT%H%M%S}"


def warned_in_time(user_ids: list[int], now: datetime) -> list[int]:
    """Those of ``user_ids`` that may be erased now: told at least the notice period ago,
    or that cannot be told (account disabled, reminders turned off)."""
    if not user_ids:
        return []
    notice = timedelta(days=int(current_app.config.get("PURGE_NOTICE_DAYS", 30)))
    rows = db.session.execute(
        db.select(User, Passport)
        .join(Passport, Passport.holder_id == User.id)
        .where(User.id.in_(user_ids))
        .order_by(User.id)
    ).all()
    keys = {
        user.id: purge_notice_key(passport, last_activity(user, passport))
        for user, passport in rows
    }
    told = dict(
        db.session.execute(
            db.select(JobKey.key, JobKey.done_at).where(JobKey.key.in_(keys.values()))
        ).all()
    )
    told_by = now - notice

    def may_go(user: User) -> bool:
        if not user.active or not wants(user, "reminders"):
            return True  # cannot be told
        at = told.get(keys[user.id])
        return at is not None and at <= told_by

    return [user.id for user, _passport in rows if may_go(user)]


def still_inactive(user_id: int, cutoff: datetime) -> bool:
    """Check again just before erasing, locking the passport row on PostgreSQL."""
    query = _inactive(cutoff).where(User.id == user_id).with_for_update(of=Passport)
    return db.session.execute(query).scalar_one_or_none() is not None


def old_access_log(cutoff: datetime):
    return AccessLogEntry.at < cutoff


def count_old_access_log(cutoff: datetime) -> int:
    return db.session.execute(
        db.select(func.count()).select_from(AccessLogEntry).where(old_access_log(cutoff))
    ).scalar_one()


def purge(
    *, dry_run: bool = False, now: datetime | None = None, on_batch=None, batch_size: int = 100
) -> PurgeReport:
    """Apply the retention limits; ``on_batch()`` is called after each batch of holders
    (the CLI commits there). With ``dry_run`` nothing changes, the report says what would."""
    now = now or utcnow()
    cutoffs = Cutoffs.now(now)
    report = PurgeReport(cutoffs=cutoffs, dry_run=dry_run)
    holders = warned_in_time(inactive_holders(cutoffs.passports), now)
    report.holders = len(holders)
    if dry_run:
        report.access_log_entries = count_old_access_log(cutoffs.access_log)
        return report
    for start in range(0, len(holders), batch_size):
        for user_id in holders[start : start + batch_size]:
            if still_inactive(user_id, cutoffs.passports):
                report.erasure.add(erase_holder(user_id))
            else:  # came back between the listing and now
                report.holders -= 1
        if on_batch is not None:
            on_batch()
    # The sharing feature owns the access log and its purge (same cutoff, same setting).
    report.access_log_entries = purge_access_log(now)
    return report
