"""Mails that warn the holder before something ends (the ``reminders`` preference).

- ``share_expiry_notices`` (hourly): an active share that expires within
  ``SHARE_EXPIRY_NOTICE_DAYS`` (2) is announced once (job key ``share:<id>:expiry``).
  A share made for less than that is not: its holder chose its end a moment ago.
- ``purge_notices`` (daily): a passport that the retention purge
  (``passport.trust.retention``) will erase within ``PURGE_NOTICE_DAYS`` (30) for inactivity
  is announced once per purge cycle: the job key names the passport and the instant of its
  last activity, so a holder who comes back and goes quiet again is warned again.

Neither mail carries a share token or anything of the passport beyond the share's label.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import ngettext
from sqlalchemy.orm import joinedload

from passport.accounts.models import User
from passport.db import utcnow
from passport.extensions import db
from passport.notifications.jobs import crontab, once, periodic
from passport.notifications.mail import send_templated, with_links
from passport.notifications.preferences import wants
from passport.passports.models import Passport
from passport.sharing.models import ShareLink
from passport.sharing.state import ShareState, share_state
from passport.urls import external_url


def _days(name: str, default: int) -> timedelta:
    return timedelta(days=int(current_app.config.get(name, default)))


@periodic("share_expiry_notices", crontab(minute="20"))
@with_links
def share_expiry_notices(now: datetime | None = None) -> int:
    """Tell holders, once, that a share is about to expire; returns how many mails."""
    now = now or utcnow()
    notice = _days("SHARE_EXPIRY_NOTICE_DAYS", 2)
    shares = db.session.execute(
        db.select(ShareLink)
        .where(
            ShareLink.expires_at > now,
            ShareLink.expires_at <= now + notice,
            ShareLink.revoked_at.is_(None),
            ShareLink.suspended_at.is_(None),
            ShareLink.used_up_at.is_(None),
            ShareLink.locked_at.is_(None),
        )
        .options(joinedload(ShareLink.passport).joinedload(Passport.holder))
        .order_by(ShareLink.id)
    ).scalars()
    sent = 0
    for share in shares.unique():
        if share.expires_at - share.created_at <= notice:
            continue  # made to last less than the notice: nothing to tell
        if share_state(share, now) is not ShareState.ACTIVE:
            continue
        holder = share.passport.holder
        if not holder.active or not wants(holder, "reminders"):
            continue
        if not once(f"share:{share.id}:expiry"):
            continue
        send_templated(
            holder.email,
            "share_expiring",
            key=f"share:{share.id}:expiry",
            share=share,
            name=holder.full_name,
            link=external_url("sharing.index"),
            new=external_url("sharing.create"),
        )
        sent += 1
    return sent


def _period(days: int) -> str:
    if days % 365 == 0:
        return ngettext("%(num)s an", "%(num)s ans", days // 365)
    return ngettext("%(num)s jour", "%(num)s jours", days)


@periodic("purge_notices", crontab(hour="8", minute="5"))
@with_links
def purge_notices(now: datetime | None = None) -> int:
    """Warn, once per cycle, the holders whose passport will be purged within the notice."""
    from passport.trust.retention import inactive_holders, last_activity, purge_notice_key

    now = now or utcnow()
    retention_days = int(current_app.config["RETENTION_PASSPORT_DAYS"])
    retention = timedelta(days=retention_days)
    notice = _days("PURGE_NOTICE_DAYS", 30)
    ids = inactive_holders(now - (retention - notice))
    if not ids:
        return 0
    rows = db.session.execute(
        db.select(User, Passport)
        .join(Passport, Passport.holder_id == User.id)
        .where(User.id.in_(ids))
        .order_by(User.id)
    ).all()
    sent = 0
    for user, passport in rows:
        activity = last_activity(user, passport)
        purge_at = max(activity + retention, now + notice)  # the purge waits for the notice
        if not user.active or not wants(user, "reminders"):
            continue
        key = purge_notice_key(passport, activity)
        if not once(key):
            continue
        send_templated(
            user.email,
            "purge_notice",
            key=key,
            name=user.full_name,
            purge_at=purge_at,
            activity=activity,
            period=_period(retention_days),
            login=external_url("accounts.login"),
            data=external_url("trust.my_data"),
        )
        sent += 1
    return sent
