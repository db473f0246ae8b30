"""What a structure writes: receptions, referrals and their status, attested trainings.

Every record is stamped with its structure (and advisor, when a person wrote it), chained
into the passport and signed with the structure's key. Access checks happen before these
calls (see ``passport.sharing``); these functions only write.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import selectinload

from passport.accounts.models import User
from passport.db import utcnow, valid_id
from passport.extensions import db
from passport.pagination import paginate
from passport.passports.models import (
    REFERRAL_TRANSITIONS,
    Passport,
    Reception,
    Referral,
    ReferralEvent,
    ReferralStatus,
    Training,
)
from passport.passports.services import clean_training_values
from passport.structures.models import Structure
from passport.trust import chain


class WorkflowError(Exception):
    """A referral status change that the fiche navette workflow forbids."""


class SameStructure(Exception):
    """A structure cannot refer a person to itself."""


def record_reception(
    structure: Structure,
    passport_id: int | None,
    *,
    date: date,
    channel: str,
    needs: list[str],
    advisor: User | None = None,
    situation: str | None = None,
    outcome: str | None = None,
    summary: str | None = None,
) -> Reception:
    """A first reception; ``passport_id=None`` records an anonymous one (barometer only)."""
    reception = Reception(
        date=date,
        channel=channel,
        needs=sorted(set(needs)),
        situation=situation,
        outcome=outcome,
        summary=summary,
        issuer_advisor=advisor,
    )
    return chain.append(reception, passport_id, issuer=structure)


def send_referral(
    structure: Structure,
    passport_id: int,
    to_structure: Structure,
    *,
    needs: list[str],
    message: str | None = None,
    advisor: User | None = None,
) -> Referral:
    """A fiche navette to ``to_structure``, status ``sent``."""
    if to_structure.id == structure.id:
        raise SameStructure(structure.code)
    referral = Referral(
        to_structure=to_structure,
        needs=sorted(set(needs)),
        message=message,
        status=ReferralStatus.SENT.value,
        issuer_advisor=advisor,
    )
    referral = chain.append(referral, passport_id, issuer=structure)
    referral.status_changed_at = referral.created_at
    return referral


def change_referral_status(
    referral: Referral,
    structure: Structure,
    status: str,
    *,
    note: str | None = None,
    advisor: User | None = None,
) -> ReferralEvent:
    """Move a referral along the workflow; only the receiving structure may."""
    if referral.to_structure_id != structure.id:
        raise PermissionError("only the receiving structure changes a referral's status")
    # Lock the chain first so that two parallel changes see each other's status.
    if referral.passport_id is not None:
        chain.lock_passport(referral.passport_id)
    db.session.refresh(referral, ["status"])
    if status not in REFERRAL_TRANSITIONS.get(referral.status, frozenset()):
        raise WorkflowError(f"{referral.status} -> {status}")
    event = ReferralEvent(referral_id=referral.id, status=status, note=note, issuer_advisor=advisor)
    event = chain.append(event, referral.passport_id, issuer=structure)
    db.session.expire(referral, ["events"])
    referral.status = status
    referral.status_changed_at = utcnow()
    db.session.flush()
    return event


def attest_training(
    structure: Structure, passport_id: int, *, advisor: User | None = None, **values
) -> Training:
    """A training attested (and signed) by the structure."""
    training = Training(**clean_training_values(values), issuer_advisor=advisor)
    return chain.append(training, passport_id, issuer=structure)


def referrals_page(
    structure: Structure,
    status: str | None = None,
    page: int = 1,
    per_page: int = 20,
    direction: str = "received",
) -> tuple[list[Referral], int, dict[int, str]]:
    """One page of the referrals received (or ``direction="sent"``) by a structure, newest
    first, in three queries.

    Returns ``(referrals, total, holder_names)``; ``holder_names`` maps a passport id to its
    holder's name (the fiche navette names the person it is about). Referrals of an erased
    passport (anonymised, kept for the indicators only) are not listed.
    """
    column = Referral.to_structure_id if direction == "received" else Referral.issuer_structure_id
    conditions = [column == structure.id, Referral.passport_id.is_not(None)]
    if status:
        conditions.append(Referral.status == status)
    result = paginate(
        db.select(Referral)
        .where(*conditions)
        .options(selectinload(Referral.events))
        .order_by(Referral.created_at.desc(), Referral.id.desc()),
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


def get_referral(referral_id: int) -> Referral | None:
    """A referral by id, or None (ids beyond the integer column's range included)."""
    if not valid_id(referral_id):
        return None
    return db.session.get(Referral, referral_id)
