"""The holder's passport: reading it whole or by section, and the holder's profile.

What the holder declares or edits (trainings, CPF statements) is written by
``passport.records.services``, like every other record.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import selectinload

from passport.accounts.models import User
from passport.db import utcnow
from passport.extensions import db
from passport.passports.models import (
    CpfStatement,
    Passport,
    Reception,
    Referral,
    ReferralEvent,
    Training,
)

ALL_SECTIONS = ("profile", "receptions", "referrals", "trainings", "cpf")
PROFILE_FIELDS = ("birth_year", "department", "situation", "qualification_level")


@dataclass
class PassportView:
    """A passport loaded for display, section by section, in a fixed number of queries."""

    passport: Passport
    sections: tuple[str, ...]
    receptions: list[Reception] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    trainings: list[Training] = field(default_factory=list)
    cpf_statements: list[CpfStatement] = field(default_factory=list)

    @property
    def cpf_current(self) -> CpfStatement | None:
        return self.cpf_statements[0] if self.cpf_statements else None

    def timeline(self) -> list:
        """Every shown record, newest first."""
        items: list = [*self.receptions, *self.referrals, *self.trainings, *self.cpf_statements]
        return sorted(items, key=lambda r: (r.created_at, r.seq or 0, r.id), reverse=True)


def passport_of(user: User) -> Passport:
    passport = db.session.execute(
        db.select(Passport).where(Passport.holder_id == user.id)
    ).scalar_one_or_none()
    if passport is None:  # a holder created before passports existed, or by hand
        passport = Passport(holder=user)
        db.session.add(passport)
        db.session.flush()
    return passport


def load_view(
    passport: Passport, sections: tuple[str, ...] | list[str] = ALL_SECTIONS
) -> PassportView:
    """Load the given sections of a passport: one query per section, whatever its size."""
    view = PassportView(passport=passport, sections=tuple(s for s in ALL_SECTIONS if s in sections))
    pid = passport.id
    if "receptions" in sections:
        view.receptions = list(
            db.session.execute(
                db.select(Reception)
                .where(Reception.passport_id == pid)
                .order_by(Reception.date.desc(), Reception.id.desc())
            )
            .scalars()
            .unique()
        )
    if "referrals" in sections:
        view.referrals = list(
            db.session.execute(
                db.select(Referral)
                .where(Referral.passport_id == pid)
                .options(selectinload(Referral.events).joinedload(ReferralEvent.issuer_structure))
                .order_by(Referral.created_at.desc(), Referral.id.desc())
            )
            .scalars()
            .unique()
        )
    if "trainings" in sections:
        view.trainings = list(
            db.session.execute(
                db.select(Training)
                .where(Training.passport_id == pid, Training.superseded.is_(False))
                .order_by(Training.created_at.desc(), Training.id.desc())
            )
            .scalars()
            .unique()
        )
    if "cpf" in sections:
        view.cpf_statements = list(
            db.session.execute(
                db.select(CpfStatement)
                .where(CpfStatement.passport_id == pid, CpfStatement.superseded.is_(False))
                .order_by(CpfStatement.as_of.desc(), CpfStatement.id.desc())
            )
            .scalars()
            .unique()
        )
    return view


def update_profile(passport: Passport, **values) -> Passport:
    """Set the holder's profile fields (only those named in PROFILE_FIELDS)."""
    for name, value in values.items():
        if name not in PROFILE_FIELDS:
            raise ValueError(f"unknown profile field {name}")
        setattr(passport, name, value)
    passport.last_activity_at = utcnow()  # activity keeps the passport from the purge
    db.session.flush()
    return passport
