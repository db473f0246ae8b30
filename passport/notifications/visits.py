"""Visits: the accesses of one structure (one advisor) through one share, grouped.

The request that opens a share writes one access-log row and queues ``note_access``
(``passport.records.access``). This job, in the worker:

- puts the row in its visit: the open visit of the same passport, share, structure and
  advisor whose accesses are less than ``VISIT_MINUTES`` away, or a new one;
- recomputes what the visit saw and added, from the access log and the records the
  structure wrote meanwhile (idempotent: a job run twice changes nothing), and the reason
  of each refused attempt (given by the request);
- keeps ONE in-app notification per visit up to date (unread again when it grew);
- queues ``mail_visit``, which sends ONE grouped mail once the visit has been quiet for
  ``VISIT_MINUTES`` (job key ``visit:<id>:mail``), if the holder wants it (preferences,
  default on). ``mail_quiet_visits`` (every 5 minutes) catches what a lost job left.

``group_stray_accesses`` (every 10 minutes) groups the recent rows whose job was lost. The
holder's access-log page lists the rows not grouped yet on their own (``sharing.services.
ungrouped_entries``): a page never waits for, nor does, the worker's work. Rows logged
before visits existed stay ungrouped (the API's flat log shows them all).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, update
from sqlalchemy.sql import ColumnElement

from passport.accounts.models import User
from passport.db import utcnow
from passport.extensions import Model, db
from passport.notifications.jobs import crontab, enqueue_after_commit, job, once, periodic
from passport.notifications.mail import send_templated, with_links
from passport.notifications.preferences import wants
from passport.notifications.wording import subject, summary, when
from passport.passports.models import ChainedRecord, Passport, ReferralEvent, ReferralStatus
from passport.sharing.models import (
    AccessLogEntry,
    Notification,
    Visit,
    access_entry,
    not_in_a_visit,
)
from passport.urls import external_url

#: A record written this long before the first or after the last access of a visit is
#: still the visit's (the row is written before the record, in the same request).
SLACK = timedelta(seconds=60)
#: A visit quiet for longer than this when the mail job first sees it (a worker that was
#: down for days, rows of before this feature) is not mailed: it is no longer news.
MAIL_MAX_AGE = timedelta(hours=48)
#: The kind of a record in ``Visit.added`` (other record classes: their table name).
KINDS = {
    "receptions": "reception",
    "referrals": "referral",
    "trainings": "training",
    "cpf_statements": "cpf",
}


def window() -> timedelta:
    return timedelta(minutes=int(current_app.config.get("VISIT_MINUTES", 30)))


def _same(column, value) -> ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


def _lock(passport_id: int) -> None:
    """Serialize the work on one passport's visits (a row lock on PostgreSQL, the write
    lock on SQLite), without touching the passport's activity or chain."""
    db.session.execute(
        update(Passport).where(Passport.id == passport_id).values(head_seq=Passport.head_seq),
        execution_options={"synchronize_session": False},
    )


def _key_of(model, entry_or_visit) -> list[ColumnElement[bool]]:
    return [
        model.passport_id == entry_or_visit.passport_id,
        _same(model.share_id, entry_or_visit.share_id),
        _same(model.structure_id, entry_or_visit.structure_id),
        _same(model.advisor_id, entry_or_visit.advisor_id),
    ]


def _visit_for(entry: AccessLogEntry) -> Visit:
    near = list(
        db.session.execute(
            db.select(Visit)
            .where(
                *_key_of(Visit, entry),
                Visit.last_at >= entry.at - window(),
                Visit.started_at <= entry.at + window(),
            )
            .order_by(Visit.last_at.desc(), Visit.id.desc())
        )
        .scalars()
        .unique()
    )
    for visit in near:  # seen already (a job run again, or the catch-up was first)
        if visit.started_at <= entry.at <= visit.last_at:
            return visit
    for visit in near:
        if visit.mailed_at is None:
            visit.started_at = min(visit.started_at, entry.at)
            visit.last_at = max(visit.last_at, entry.at)
            return visit
    visit = Visit(
        passport_id=entry.passport_id,
        share_id=entry.share_id,
        structure_id=entry.structure_id,
        advisor_id=entry.advisor_id,
        started_at=entry.at,
        last_at=entry.at,
        views=0,
        appends=0,
        denials=0,
        seen=[],
        added={},
        reasons={},
    )
    db.session.add(visit)
    return visit


def record_classes() -> list[Any]:
    """Every kind of chained record (new kinds are found without a change here)."""
    classes = {m.class_ for m in Model.registry.mappers if issubclass(m.class_, ChainedRecord)}
    return sorted(classes, key=lambda c: c.__tablename__)


def _added(visit: Visit) -> dict[str, int]:
    """What the structure (and advisor) wrote to the passport during the visit."""
    if visit.structure_id is None:
        return {}
    added: dict[str, int] = {}
    for model in record_classes():
        through_share = visit.share_id is not None
        if (model is ReferralEvent) == through_share:
            # Through a share a structure writes records; without one, it changes the
            # status of a referral it received (a ReferralEvent).
            continue
        conditions = [
            model.passport_id == visit.passport_id,
            model.issuer_structure_id == visit.structure_id,
            _same(model.issuer_advisor_id, visit.advisor_id),
            model.created_at >= visit.started_at - SLACK,
            model.created_at <= visit.last_at + SLACK,
        ]
        if model is ReferralEvent:
            rows = db.session.execute(
                db.select(ReferralEvent.status, func.count())
                .where(*conditions, ReferralEvent.status != ReferralStatus.SENT.value)
                .group_by(ReferralEvent.status)
            ).all()
            for status, n in rows:
                added[f"status:{status}"] = n
            continue
        n = db.session.execute(db.select(func.count()).select_from(model).where(*conditions))
        count = n.scalar_one()
        if count:
            kind = KINDS.get(model.__tablename__, model.__tablename__)
            added[kind] = added.get(kind, 0) + count
    return added


def _refresh(visit: Visit) -> None:
    """Counts, sections seen and records added, from the access log and the records."""
    rows = db.session.execute(
        db.select(AccessLogEntry.action, func.count())
        .where(
            *_key_of(AccessLogEntry, visit),
            AccessLogEntry.at >= visit.started_at,
            AccessLogEntry.at <= visit.last_at,
        )
        .group_by(AccessLogEntry.action)
    ).all()
    counts = dict(rows)
    visit.views = counts.get("view", 0)
    visit.appends = counts.get("append", 0)
    visit.denials = counts.get("denied", 0)
    share = visit.share
    if visit.views and share is not None and "read" in (share.permissions or []):
        visit.seen = list(share.sections or [])
    else:
        visit.seen = []
    visit.added = _added(visit)


def _snapshot(visit: Visit) -> tuple:
    return (
        visit.views,
        visit.appends,
        visit.denials,
        tuple(visit.seen or ()),
        tuple(sorted((visit.added or {}).items())),
        tuple(sorted((visit.reasons or {}).items())),
    )


def _notify(visit: Visit, entry: AccessLogEntry, changed: bool) -> None:
    """The holder's one notice about this visit: created, or brought up to date."""
    note = db.session.execute(
        db.select(Notification).where(Notification.visit_id == visit.id)
    ).scalar_one_or_none()
    if note is None:
        holder_id = db.session.execute(
            db.select(Passport.holder_id).where(Passport.id == visit.passport_id)
        ).scalar_one()
        db.session.add(
            Notification(
                user_id=holder_id,
                visit_id=visit.id,
                access_id=entry.id,
                kind="visit",
                created_at=visit.last_at,
            )
        )
        return
    if note.access_id is None or entry.id > note.access_id:
        note.access_id = entry.id  # the latest row: the notice goes with the log's retention
    if changed:
        note.read_at = None
        note.created_at = visit.last_at


def note(entry: AccessLogEntry, reason: str | None = None) -> Visit:
    """Put one access-log row in its visit, and tell the holder (see the module's doc)."""
    _lock(entry.passport_id)
    visit = _visit_for(entry)
    before = _snapshot(visit) if visit.id is not None else None
    if reason is not None and entry.action == "denied":
        visit.reasons = {**(visit.reasons or {}), str(entry.id): reason}
    db.session.flush()
    _refresh(visit)
    db.session.flush()
    changed = before != _snapshot(visit)
    _notify(visit, entry, changed)
    db.session.flush()
    if changed and visit.mailed_at is None:
        enqueue_after_commit("mail_visit", visit.id, delay=int(window().total_seconds()) + 5)
    return visit


@job("note_access", retries=3)
def note_access(entry_id: int, reason: str | None = None, at: str | None = None) -> int | None:
    """The job queued by each access: its visit's id (None if the row is gone).

    ``at`` is the row's time (ISO 8601), for a lookup in one partition; a job queued before
    it was passed (``entry_id, reason``) still runs, its row looked up by id alone."""
    when_written = datetime.fromisoformat(at) if at is not None else None
    entry = db.session.execute(access_entry(entry_id, when_written)).unique().scalar_one_or_none()
    if entry is None:
        return None
    return note(entry, reason).id


#: Rows younger than this are left to their own job by ``group_stray_accesses``.
STRAY_AFTER = timedelta(minutes=2)
#: How far back ``group_stray_accesses`` looks (a job lost by the queue, a worker down).
STRAY_WINDOW = timedelta(days=2)


@periodic("stray_accesses", crontab(minute="*/10"))
def group_stray_accesses(limit: int = 500) -> int:
    """Group the recent rows that no job grouped (the queue lost it); returns how many.

    A refused attempt grouped here has no reason (it came with the lost job)."""
    now = utcnow()
    entries = list(
        db.session.execute(
            db.select(AccessLogEntry)
            .where(
                AccessLogEntry.at >= now - STRAY_WINDOW,
                AccessLogEntry.at <= now - STRAY_AFTER,
                not_in_a_visit(),
            )
            .order_by(AccessLogEntry.at, AccessLogEntry.id)
            .limit(limit)
        )
        .scalars()
        .unique()
    )
    for entry in entries:
        note(entry)
        db.session.commit()  # one passport locked at a time
    return len(entries)


# --------------------------------------------------------------------------- the mail


def _told_already(visit: Visit, holder: User) -> bool:
    """A visit that only set an appointment: the holder had the appointment's own mail."""
    return (
        visit.share_id is None
        and set(visit.added or {}) == {f"status:{ReferralStatus.APPOINTMENT.value}"}
        and wants(holder, "appointments")
    )


@with_links
def _mail(visit: Visit, now: datetime | None = None) -> bool:
    """Send the visit's grouped mail if it is quiet and not mailed yet; True if sent."""
    now = now or utcnow()
    _lock(visit.passport_id)
    db.session.refresh(visit)
    if visit.mailed_at is not None or visit.last_at > now - window():
        return False
    visit.mailed_at = now  # closed: a later access starts a new visit
    if not once(f"visit:{visit.id}:mail"):
        return False
    if visit.last_at < now - MAIL_MAX_AGE:
        return False
    holder = db.session.execute(
        db.select(User)
        .join(Passport, Passport.holder_id == User.id)
        .where(Passport.id == visit.passport_id)
    ).scalar_one_or_none()
    if holder is None or not holder.active or not wants(holder, "visits"):
        return False
    if _told_already(visit, holder):
        return False
    mail = send_templated(
        holder.email,
        "visit",
        key=f"visit:{visit.id}:holder",
        visit=visit,
        name=holder.full_name,
        headline=subject(visit),
        summary=summary(visit),
        when=when(visit),
        log=external_url("sharing.access_log"),
        shares=external_url("sharing.index"),
    )
    return mail is not None


@job("mail_visit", retries=3)
def mail_visit(visit_id: int) -> bool:
    """Queued (with a delay) by each access: mails the visit once it is quiet."""
    visit = db.session.get(Visit, visit_id)
    return _mail(visit) if visit is not None else False


@periodic("visit_mails", crontab(minute="*/5"))
def mail_quiet_visits(limit: int = 500) -> int:
    """The visits quiet for ``VISIT_MINUTES`` and not mailed yet (a lost or late job)."""
    now = utcnow()
    ids = list(
        db.session.execute(
            db.select(Visit.id)
            .where(Visit.mailed_at.is_(None), Visit.last_at <= now - window())
            .order_by(Visit.id)
            .limit(limit)
        ).scalars()
    )
    sent = 0
    for visit_id in ids:
        visit = db.session.get(Visit, visit_id)
        if visit is not None and _mail(visit, now):
            sent += 1
        db.session.commit()  # one passport locked at a time
    return sent
