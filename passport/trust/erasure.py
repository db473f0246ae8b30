"""Erasing a holder: their account, passport, shares and tokens (RGPD, right to erasure).

Used by ``DELETE /api/v1/me``, the "Mes données" page and the retention purge.

What is deleted: the account (``users`` row) with its personal tokens, sessions and notifications;
the passport; its share links; its access log and the notifications about those accesses;
what the holder declared (trainings, CPF statements).

What stays, anonymous, so that counts do not change when someone leaves:
- receptions, for the barometer of needs;
- referrals and their status changes, for the partnership indicators (how many referrals
  between which structures, how long each step took). Deleting them would make those
  indicators shrink every time a person exercises their right, and once stripped as below a
  referral holds no more about the person than an anonymous reception does.
Each of them loses everything that leads back to the person: ``passport_id``, the free texts
(``summary``, ``message``, ``note``), the chain fields (``seq``, ``prev_hash``, ``hash``, which
are derived from the content) and the ``signature`` (a JWS carries its payload, free texts
included, in base64). Kept: dates, structures, the advisor who wrote it, channel, situation,
needs, outcome, referral status.

The corrections go too (they say why a record was wrong), so what they said is settled
first: a withdrawn reception or referral is deleted with the passport, and a rectified one
keeps its new values. What stays is what the indicators counted (``indicators.aggregates``
no longer counts a withdrawn record, and counts a rectified reception with its new values).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, update

from passport.accounts.models import ApiToken, User, UserSession
from passport.extensions import db
from passport.indicators import aggregates
from passport.passports.models import (
    Correction,
    CorrectionAction,
    CorrectionRequest,
    CpfStatement,
    Passport,
    Reception,
    Rectified,
    Referral,
    ReferralEvent,
    Training,
)
from passport.records import chain
from passport.security import verify_password
from passport.sharing.models import AccessLogEntry, Notification, ShareLink, Visit

#: Columns emptied on the records that stay as anonymous statistics.
ANONYMISED: dict[type[Reception | Referral | ReferralEvent], tuple[str, ...]] = {
    Reception: ("summary",),
    Referral: ("message",),
    ReferralEvent: ("note", "appointment_place", "appointment_contact"),
}
CHAIN_FIELDS = ("passport_id", "seq", "prev_hash", "hash", "signature")
#: The fields of a rectification that the anonymous record keeps (its free texts go anyway).
RECTIFIED_KEPT: dict[str, tuple[str, ...]] = {
    Reception.kind: ("date", "channel", "situation", "needs", "outcome"),
    Referral.kind: ("needs",),
}


class WrongPassword(Exception):
    """The password given to confirm the erasure is not the account's."""


@dataclass
class ErasureReport:
    """What an erasure did, table by table (rows deleted or anonymised)."""

    deleted: dict[str, int] = field(default_factory=dict)
    anonymised: dict[str, int] = field(default_factory=dict)

    def add(self, other: ErasureReport) -> None:
        for mine, theirs in ((self.deleted, other.deleted), (self.anonymised, other.anonymised)):
            for name, count in theirs.items():
                mine[name] = mine.get(name, 0) + count


def erase_account(user: User, password: str) -> ErasureReport:
    """Erase a holder's account after checking their password (``WrongPassword``)."""
    if not verify_password(user.password_hash, password):
        raise WrongPassword(user.id)
    return erase_holder(user.id)


def erase_holder(user_id: int) -> ErasureReport:
    """Erase an account and, for a holder, their passport. Flushes, never commits."""
    db.session.flush()
    report = ErasureReport()
    passport_id = db.session.execute(
        db.select(Passport.id).where(Passport.holder_id == user_id)
    ).scalar_one_or_none()
    if passport_id is not None:
        report.add(_erase_passport(passport_id))
    _delete(report, Notification, Notification.user_id == user_id)
    _delete(report, ApiToken, ApiToken.user_id == user_id)
    _delete(report, UserSession, UserSession.user_id == user_id)
    _delete(report, User, User.id == user_id)
    db.session.expunge_all()  # the ORM's copies of deleted rows must not be written back
    return report


def _erase_passport(passport_id: int) -> ErasureReport:
    report = ErasureReport()
    # Take the chain's lock: an append in flight finishes first, a later one finds nothing.
    chain.lock_passport(passport_id)
    accesses = db.select(AccessLogEntry.id).where(AccessLogEntry.passport_id == passport_id)
    _delete(report, Notification, Notification.access_id.in_(accesses))
    _delete(report, AccessLogEntry, AccessLogEntry.passport_id == passport_id)
    _delete(report, Visit, Visit.passport_id == passport_id)
    _delete(report, ShareLink, ShareLink.passport_id == passport_id)
    # Corrections and requests name the person's records and say why: they go, once the
    # records that stay read as the corrections said.
    _settle_corrections(report, passport_id)
    _delete(report, CorrectionRequest, CorrectionRequest.passport_id == passport_id)
    _delete(report, Correction, Correction.passport_id == passport_id)
    aggregates.forget_passport(passport_id)  # its receptions now count as anonymous
    for model, texts in ANONYMISED.items():
        result = db.session.execute(
            update(model)
            .where(model.passport_id == passport_id)
            .values({name: None for name in (*CHAIN_FIELDS, *texts)}),
            execution_options={"synchronize_session": False},
        )
        report.anonymised[model.__tablename__] = _rowcount(result)
    _delete(report, Training, Training.passport_id == passport_id)
    _delete(report, CpfStatement, CpfStatement.passport_id == passport_id)
    _delete(report, Passport, Passport.id == passport_id)
    return report


def _settle_corrections(report: ErasureReport, passport_id: int) -> None:
    """Delete the withdrawn receptions and referrals, write the rectified values into the
    others, so that the anonymous records still count as they did (no signature is left
    to vouch for their first values)."""
    corrections = (
        db.session.execute(
            db.select(Correction).where(
                Correction.passport_id == passport_id,
                Correction.target_kind.in_(list(RECTIFIED_KEPT)),
            )
        )
        .scalars()
        .all()
    )
    withdrawn = {
        (c.target_kind, c.target_id) for c in corrections if c.action == CorrectionAction.WITHDRAW
    }
    models: dict[str, type[Reception | Referral]] = {
        Reception.kind: Reception,
        Referral.kind: Referral,
    }
    for c in corrections:
        if c.action != CorrectionAction.RECTIFY or (c.target_kind, c.target_id) in withdrawn:
            continue
        new = Rectified(None, c.changes).values  # typed as the columns are
        values = {name: new[name] for name in RECTIFIED_KEPT[c.target_kind] if name in new}
        if values:
            model = models[c.target_kind]
            db.session.execute(
                update(model)
                .where(model.id == c.target_id, model.passport_id == passport_id)
                .values(values),
                execution_options={"synchronize_session": False},
            )
    gone = {kind: [i for k, i in withdrawn if k == kind] for kind in RECTIFIED_KEPT}
    _delete(
        report,
        Reception,
        Reception.id.in_(gone[Reception.kind]) & (Reception.passport_id == passport_id),
    )
    referrals = db.select(Referral.id).where(
        Referral.id.in_(gone[Referral.kind]), Referral.passport_id == passport_id
    )
    _delete(report, ReferralEvent, ReferralEvent.referral_id.in_(referrals))
    _delete(report, Referral, Referral.id.in_(referrals))


def _delete(report: ErasureReport, model, condition) -> None:
    result = db.session.execute(
        delete(model).where(condition), execution_options={"synchronize_session": False}
    )
    name = model.__tablename__
    report.deleted[name] = report.deleted.get(name, 0) + _rowcount(result)


def _rowcount(result) -> int:
    """Rows a bulk UPDATE or DELETE touched (a ``CursorResult``)."""
    return result.rowcount or 0
