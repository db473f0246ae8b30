"""The holder's passport: reading it whole or by section, and the holder's profile.

What the holder declares or edits (trainings, CPF statements) is written by
``passport.records.services``, like every other record.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from passport.accounts.models import User
from passport.db import utcnow
from passport.extensions import db
from passport.passports.loading import load_records
from passport.passports.models import (
    CpfStatement,
    Passport,
    Reception,
    Referral,
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
    def cpf_current(self):
        """The latest statement that stands (not withdrawn), as rectified if it was."""
        return next((s.current for s in self.cpf_statements if not s.withdrawn), None)

    def timeline(self) -> list:
        """Every shown record, newest first."""
        items: list = [*self.receptions, *self.referrals, *self.trainings, *self.cpf_statements]
        return sorted(items, key=lambda r: (r.created_at, r.seq or 0, r.id), reverse=True)


def passport_of(user: User) -> Passport:
    # Loaded with the user already (the API's token query): no query.
    passport = user.__dict__.get("own_passport")
    if passport is None or db.inspect(passport).was_deleted:
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
    """Load the given sections of a passport in one query, whatever its size."""
    view = PassportView(passport=passport, sections=tuple(s for s in ALL_SECTIONS if s in sections))
    found = load_records(passport.id, view.sections)
    view.receptions = sorted(found.get(Reception, []), key=lambda r: (r.date, r.id), reverse=True)
    view.referrals = sorted(
        found.get(Referral, []), key=lambda r: (r.created_at, r.id), reverse=True
    )
    view.trainings = sorted(
        found.get(Training, []), key=lambda t: (t.created_at, t.id), reverse=True
    )
    view.cpf_statements = sorted(
        found.get(CpfStatement, []), key=lambda s: (s.current.as_of, s.id), reverse=True
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
