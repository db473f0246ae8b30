"""Mails about referrals (DOMAIN.md, "Referrals between people").

- ``referral_sent``: the receiving structure hears of a new fiche navette (its address, or
  its advisors who keep the mail on). No detail of the person: the needs, the sender, a link.
- ``status_changed``: the sender hears of each change; a decline carries its reason and two
  or three structures of the directory that cover the same needs in the same department.
  An appointment also reaches the holder (when they keep that mail on).
- ``send_reminders`` (hourly): a referral still ``sent`` after
  ``REFERRAL_REMINDER_WORKING_DAYS`` working days (French public holidays excluded) is
  recalled to its structure, once.

Every mail has a key (``referral:<id>:...``), so an event never gives two mails.
"""

from __future__ import annotations

from datetime import date, timedelta

import holidays
from flask import current_app

from passport.accounts.models import User
from passport.db import LOCAL_TZ, today_local, utcnow
from passport.extensions import db
from passport.notifications.jobs import crontab, once, periodic
from passport.notifications.mail import send_templated, with_links
from passport.notifications.preferences import wants
from passport.passports.models import Passport, Referral, ReferralEvent, ReferralStatus
from passport.structures.models import Structure
from passport.structures.services import list_structures
from passport.urls import external_url

STAFF_ROLES = ("advisor", "structure_admin")


def structure_recipients(structure: Structure) -> list[str]:
    """The structure's address if it has one, else its active advisors who keep the mail on."""
    address = getattr(structure, "referral_email", None) or structure.email
    if address:
        return [address]
    staff = db.session.execute(
        db.select(User)
        .where(User.structure_id == structure.id, User.role.in_(STAFF_ROLES), User.active)
        .order_by(User.id)
    ).scalars()
    return [u.email for u in staff if wants(u, "referrals")]


def sender_recipients(referral: Referral) -> list[str]:
    """The advisor who sent it (when they keep the mail on), else the sending structure."""
    advisor = referral.issuer_advisor
    if advisor is not None and advisor.active:
        return [advisor.email] if wants(advisor, "referrals") else []
    if referral.issuer_structure is None:
        return []
    return structure_recipients(referral.issuer_structure)


@with_links
def referral_sent(referral: Referral) -> None:
    """Queue the mail to the receiving structure (called where the referral is written)."""
    link = external_url("workspace.referral", referral_id=referral.id)
    for address in structure_recipients(referral.to_structure):
        send_templated(
            address,
            "referral_received",
            key=f"referral:{referral.id}:received:{address}",
            referral=referral,
            link=link,
        )


def alternatives(referral: Referral, limit: int = 3) -> list[Structure]:
    """Structures of the directory covering the referral's needs in the same department."""
    department = referral.to_structure.department
    excluded = {referral.to_structure_id, referral.issuer_structure_id}
    needs = set(referral.needs or [])
    candidates = [s for s in list_structures(None, department) if s.id not in excluded]
    scored = [(len(needs & set(s.needs or [])), s) for s in candidates]
    scored = [(n, s) for n, s in scored if n]
    scored.sort(key=lambda pair: (-pair[0], pair[1].name))
    return [s for _, s in scored[:limit]]


@with_links
def status_changed(referral: Referral, event: ReferralEvent) -> None:
    """Queue the mails about one status change (the sender; the holder for an appointment)."""
    suggestions = alternatives(referral) if event.status == ReferralStatus.DECLINED else []
    link = external_url("workspace.referral", referral_id=referral.id)
    for address in sender_recipients(referral):
        send_templated(
            address,
            "referral_status",
            key=f"referral-event:{event.id}:sender:{address}",
            referral=referral,
            event=event,
            suggestions=suggestions,
            link=link,
        )
    if event.status == ReferralStatus.APPOINTMENT and referral.passport_id is not None:
        holder = db.session.execute(
            db.select(User)
            .join(Passport, Passport.holder_id == User.id)
            .where(Passport.id == referral.passport_id)
        ).scalar_one_or_none()
        if holder is not None and holder.active and wants(holder, "appointments"):
            send_templated(
                holder.email,
                "appointment_set",
                key=f"referral-event:{event.id}:holder",
                referral=referral,
                event=event,
                name=holder.full_name,
                link=external_url("passports.referrals"),
                ics=external_url("passports.appointment_ics", referral_id=referral.id),
            )


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to ``end`` included (weekends, French holidays out)."""
    if end <= start:
        return 0
    closed = holidays.country_holidays("FR", years=range(start.year, end.year + 1))
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in closed:
            days += 1
    return days


@periodic("referral_reminders", crontab(minute="7"))
@with_links
def send_reminders() -> int:
    """Recall, once, each referral left ``sent`` for the configured working days."""
    wait = int(current_app.config.get("REFERRAL_REMINDER_WORKING_DAYS", 3))
    today = today_local()
    # A cheap first cut (as many calendar days), then the exact count of working days.
    horizon = today - timedelta(days=wait)
    waiting = db.session.execute(
        db.select(Referral)
        .where(
            Referral.status == ReferralStatus.SENT,
            Referral.passport_id.is_not(None),
            Referral.created_at < utcnow() - timedelta(days=wait),
        )
        .order_by(Referral.id)
    ).scalars()
    sent = 0
    for referral in waiting:
        created = referral.created_at.astimezone(LOCAL_TZ).date()
        if created > horizon or working_days_between(created, today) < wait:
            continue
        if not once(f"referral:{referral.id}:reminder"):
            continue
        link = external_url("workspace.referral", referral_id=referral.id)
        days = (today - created).days
        for address in structure_recipients(referral.to_structure):
            send_templated(
                address,
                "referral_reminder",
                key=f"referral:{referral.id}:reminder:{address}",
                referral=referral,
                days=days,
                link=link,
            )
        sent += 1
    return sent
