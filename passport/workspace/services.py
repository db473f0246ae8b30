"""The referrals of a structure: what it reads in its workspace, and the two writes that
people must hear of.

What a structure writes goes through ``passport.records.services``; ``send_referral`` and
``change_referral_status`` here do that, then queue the mails (``notifications.referrals``):
the receiving structure hears of a new fiche navette, the sender of each status change.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case
from sqlalchemy.orm import selectinload

from passport.accounts.models import User
from passport.db import utcnow, valid_id
from passport.extensions import db
from passport.notifications import referrals as notify
from passport.pagination import paginate
from passport.passports.models import (
    Passport,
    Referral,
    ReferralEvent,
    ReferralStatus,
)
from passport.records import services as records
from passport.structures.models import Structure

#: Statuses of a referral that still waits for the receiving structure.
OPEN_STATUSES = (ReferralStatus.SENT.value, ReferralStatus.RECEIVED.value)


def send_referral(
    structure: Structure, passport_id: int, to_structure: Structure, **values
) -> Referral:
    """``records.send_referral``, then the mail to the receiving structure."""
    referral = records.send_referral(structure, passport_id, to_structure, **values)
    notify.referral_sent(referral)
    return referral


def change_referral_status(
    referral: Referral, structure: Structure, status: str, **values
) -> ReferralEvent:
    """``records.change_referral_status``, then the mails to the sender (and the holder)."""
    event = records.change_referral_status(referral, structure, status, **values)
    notify.status_changed(referral, event)
    return event


def referrals_page(
    structure: Structure,
    status: str | None = None,
    page: int = 1,
    per_page: int = 20,
    direction: str = "received",
    order: str = "recent",
) -> tuple[list[Referral], int, dict[int, str]]:
    """One page of the referrals received (or ``direction="sent"``) by a structure, newest
    first (``order="waiting"``: those still waiting for an answer first, the longest
    waiting first), in four queries.

    Returns ``(referrals, total, holder_names)``; ``holder_names`` maps a passport id to its
    holder's name (the fiche navette names the person it is about). Referrals of an erased
    passport (anonymised, kept for the indicators only) are not listed.
    """
    column = Referral.to_structure_id if direction == "received" else Referral.issuer_structure_id
    conditions = [column == structure.id, Referral.passport_id.is_not(None)]
    if status:
        conditions.append(Referral.status == status)
    ordering = [Referral.created_at.desc(), Referral.id.desc()]
    if order == "waiting":
        waiting = Referral.status.in_(OPEN_STATUSES)
        ordering = [
            case((waiting, 0), else_=1),
            case((waiting, Referral.created_at), else_=None).asc(),
            case((waiting, Referral.id), else_=None).asc(),
            *ordering,
        ]
    result = paginate(
        db.select(Referral)
        .where(*conditions)
        .options(selectinload(Referral.events), selectinload(Referral.corrections))
        .order_by(*ordering),
        page,
        per_page,
    )
    referrals, total = result.items, result.total
    passport_ids = {r.passport_id for r in referrals if r.passport_id is not None}
    names: dict[int, str] = {}
    if passport_ids:
        rows = db.session.execute(
            db.select(Passport.id, User.full_name)
            .join(User, User.id == Passport.holder_id)
            .where(Passport.id.in_(passport_ids))
        )
        names = {row.id: row.full_name for row in rows}
    return referrals, total, names


def waiting_days(referral: Referral, now: datetime | None = None) -> int | None:
    """Whole days a referral has waited for an answer (``sent`` or ``received``), else None."""
    if referral.status not in OPEN_STATUSES:
        return None
    return ((now or utcnow()) - referral.created_at).days


def get_referral(referral_id: int) -> Referral | None:
    """A referral by id, or None (ids beyond the integer column's range included)."""
    if not valid_id(referral_id):
        return None
    return db.session.get(Referral, referral_id)
