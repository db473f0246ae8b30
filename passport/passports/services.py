"""The holder's passport: reading it whole or by section, and what the holder declares.

Self-declared records are never edited in place: an edit appends a new version that
supersedes the old one, so the hash chain stays intact. Records a structure wrote
(``issuer_structure_id`` set) cannot be edited by anyone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import selectinload

from passport.accounts.models import User
from passport.db import utcnow, valid_id
from passport.extensions import db
from passport.passports.models import (
    CpfStatement,
    Passport,
    Reception,
    Referral,
    ReferralEvent,
    Training,
)
from passport.trust import chain

ALL_SECTIONS = ("profile", "receptions", "referrals", "trainings", "cpf")
PROFILE_FIELDS = ("birth_year", "department", "situation", "qualification_level")
TRAINING_FIELDS = (
    "title",
    "provider",
    "certification_code",
    "start_date",
    "end_date",
    "status",
    "hours",
    "funding",
)


class PassportError(Exception):
    """Base class of the passport's domain errors."""


class RecordNotFound(PassportError):
    pass


class NotEditable(PassportError):
    """The record was attested by a structure, or is an old version."""


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


def clean_training_values(values: dict) -> dict:
    """Check the field names and round hours to the tenth (the column's precision), so that
    what is hashed and signed is what both databases store."""
    unknown = set(values) - set(TRAINING_FIELDS)
    if unknown:
        raise ValueError(f"unknown training fields {sorted(unknown)}")
    hours = values.get("hours")
    if hours is not None:
        values = {**values, "hours": Decimal(hours).quantize(Decimal("0.1"), ROUND_HALF_UP)}
    return values


def declare_training(passport: Passport, **values) -> Training:
    """A training the holder declares themselves (``issuer`` None, unsigned)."""
    training = Training(**clean_training_values(values))
    return chain.append(training, passport.id)


def get_training(passport: Passport, training_id: int) -> Training:
    training = db.session.get(Training, training_id) if valid_id(training_id) else None
    if training is None or training.passport_id != passport.id:
        raise RecordNotFound(training_id)
    return training


def edit_training(passport: Passport, training_id: int, **values) -> Training:
    """A new version of a self-declared training; the old one is kept, superseded."""
    old = get_training(passport, training_id)
    chain.lock_passport(passport.id)  # a parallel edit of the same version waits here...
    db.session.refresh(old, ["superseded"])  # ...and then sees it superseded
    if old.is_attested or old.superseded:
        raise NotEditable(training_id)
    merged = {name: getattr(old, name) for name in TRAINING_FIELDS}
    merged.update(clean_training_values(values))
    new = Training(**merged, supersedes_id=old.id)
    old.superseded = True
    return chain.append(new, passport.id)


def declare_cpf(
    passport: Passport, as_of: date, balance_eur: Decimal, dif_hours: int | None = None
) -> CpfStatement:
    """A CPF statement read by the holder on their account; the latest is the balance."""
    statement = CpfStatement(as_of=as_of, balance_cents=to_cents(balance_eur), dif_hours=dif_hours)
    return chain.append(statement, passport.id)


def get_cpf(passport: Passport, statement_id: int) -> CpfStatement:
    statement = db.session.get(CpfStatement, statement_id) if valid_id(statement_id) else None
    if statement is None or statement.passport_id != passport.id:
        raise RecordNotFound(statement_id)
    return statement


def edit_cpf(
    passport: Passport,
    statement_id: int,
    as_of: date,
    balance_eur: Decimal,
    dif_hours: int | None = None,
) -> CpfStatement:
    old = get_cpf(passport, statement_id)
    chain.lock_passport(passport.id)
    db.session.refresh(old, ["superseded"])
    if old.is_attested or old.superseded:
        raise NotEditable(statement_id)
    new = CpfStatement(
        as_of=as_of,
        balance_cents=to_cents(balance_eur),
        dif_hours=dif_hours,
        supersedes_id=old.id,
    )
    old.superseded = True
    return chain.append(new, passport.id)


def to_cents(amount: Decimal) -> int:
    """Euros to integer cents, rounding half up to the cent."""
    return int((Decimal(amount) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
