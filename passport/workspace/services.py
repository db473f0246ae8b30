"""What a structure reads in its workspace: the referrals it received or sent.

What a structure writes (receptions, referrals and their status, attested trainings) goes
through ``passport.records.services``.
"""

from __future__ import annotations

from sqlalchemy.orm import selectinload

from passport.accounts.models import User
from passport.db import valid_id
from passport.extensions import db
from passport.pagination import paginate
from passport.passports.models import (
    Passport,
    Referral,
)
from passport.structures.models import Structure


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
