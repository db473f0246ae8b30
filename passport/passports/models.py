"""The passport and its records.

Every record of a passport is a link of the passport's hash chain (``seq``, ``prev_hash``,
``hash``): see ``passport.records.chain``. Records are never updated in place: a holder who
edits a self-declared training or CPF statement appends a new version that ``supersedes``
the old one, and records written by a structure are immutable and signed. The structure
that wrote a record corrects it by appending a signed ``Correction`` (rectify or withdraw,
with a reason); the record stays, shown as rectified or withdrawn (``Correctable``).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from passport.accounts.models import User
from passport.db import JSONType, utcnow
from passport.extensions import Model
from passport.structures.models import Structure
from passport.trust.encryption import EncryptedText


class Need(StrEnum):
    """Needs of the first-reception questionnaire (API.md)."""

    SUMMER_JOB = "summer_job"
    JOB_SEARCH = "job_search"
    TRAINING_SEARCH = "training_search"
    TRAINING_FUNDING = "training_funding"
    ORIENTATION = "orientation"
    CAREER_CHANGE = "career_change"
    APPRENTICESHIP = "apprenticeship"
    VAE = "vae"
    BUSINESS_CREATION = "business_creation"
    MOBILITY = "mobility"
    HOUSING_HEALTH = "housing_health"
    OTHER = "other"


class Situation(StrEnum):
    EMPLOYEE = "employee"
    JOBSEEKER = "jobseeker"
    SELF_EMPLOYED = "self_employed"
    PUBLIC_AGENT = "public_agent"
    STUDENT = "student"
    OTHER = "other"


class Channel(StrEnum):
    IN_PERSON = "in_person"
    PHONE = "phone"
    ONLINE = "online"


class Outcome(StrEnum):
    ANSWERED = "answered"
    REFERRED = "referred"
    APPOINTMENT = "appointment"
    FOLLOW_UP = "follow_up"


class TrainingStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    ABANDONED = "abandoned"


class ReferralStatus(StrEnum):
    SENT = "sent"
    RECEIVED = "received"
    APPOINTMENT = "appointment"
    COMPLETED = "completed"
    DECLINED = "declined"


class DeclineReason(StrEnum):
    """Why a structure declines a referral (REASON codes of API.md)."""

    NOT_ELIGIBLE = "not_eligible"
    NO_CAPACITY = "no_capacity"
    UNREACHABLE = "unreachable"
    DECLINED_BY_PERSON = "declined_by_person"
    WRONG_STRUCTURE = "wrong_structure"
    DUPLICATE = "duplicate"
    OTHER = "other"


#: The fiche navette workflow (DOMAIN.md): allowed next statuses of each status.
REFERRAL_TRANSITIONS: dict[str, frozenset[str]] = {
    ReferralStatus.SENT: frozenset({ReferralStatus.RECEIVED, ReferralStatus.DECLINED}),
    ReferralStatus.RECEIVED: frozenset({ReferralStatus.APPOINTMENT, ReferralStatus.DECLINED}),
    ReferralStatus.APPOINTMENT: frozenset({ReferralStatus.COMPLETED}),
    ReferralStatus.COMPLETED: frozenset(),
    ReferralStatus.DECLINED: frozenset(),
}


class Passport(Model):
    """One holder's passport; ``head_seq``/``head_hash`` are the tip of its hash chain."""

    __tablename__ = "passports"

    id: Mapped[int] = mapped_column(primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    birth_year: Mapped[int | None]
    department: Mapped[str | None] = mapped_column(String(3))
    situation: Mapped[str | None] = mapped_column(String(20))
    qualification_level: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    head_seq: Mapped[int] = mapped_column(default=0)
    head_hash: Mapped[str | None] = mapped_column(String(64))

    holder: Mapped[User] = relationship()


class ChainedRecord:
    """Columns shared by every record: issuer, time, place in the hash chain, signature."""

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    seq: Mapped[int | None] = mapped_column(Integer)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
    #: Compact JWS of the issuing structure; None for what the holder declared. Encrypted at
    #: rest like the free texts: a JWS carries its payload (summary, message...) in base64.
    signature: Mapped[str | None] = mapped_column(EncryptedText)

    @declared_attr
    def passport_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("passports.id", ondelete="CASCADE"), index=True)

    @declared_attr
    def issuer_structure_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("structures.id", ondelete="RESTRICT"), index=True)

    @declared_attr
    def issuer_advisor_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @declared_attr
    def issuer_structure(cls) -> Mapped[Structure | None]:
        name = cls.__name__  # type: ignore[attr-defined]  # cls is the mapped class here
        return relationship(foreign_keys=f"{name}.issuer_structure_id", lazy="joined")

    @declared_attr
    def issuer_advisor(cls) -> Mapped[User | None]:
        name = cls.__name__  # type: ignore[attr-defined]  # cls is the mapped class here
        return relationship(foreign_keys=f"{name}.issuer_advisor_id", lazy="joined")

    @declared_attr.directive
    def __table_args__(cls):
        name = cls.__tablename__
        args: list = [UniqueConstraint("passport_id", "seq", name=f"uq_{name}_chain")]
        if "superseded" in cls.__annotations__:
            # A passport read asks for its current versions: without this index, SQLite
            # (no statistics) may answer it from the index on ``superseded`` alone, that is
            # by reading every current version of every passport.
            args.append(Index(f"ix_{name}_passport_id_superseded", "passport_id", "superseded"))
        return tuple(args)

    @property
    def is_attested(self) -> bool:
        return self.issuer_structure_id is not None


class CorrectionAction(StrEnum):
    """What the structure that wrote a record does to correct it (API.md, corrections)."""

    RECTIFY = "rectify"
    WITHDRAW = "withdraw"


class Correctable:
    """A record that its issuing structure may rectify (once) or withdraw (once, last).

    ``corrections`` are the signed ``Correction`` records that name this one, in chain order;
    the passport loader fills them in the same query as the records themselves.
    """

    @declared_attr
    def corrections(cls) -> Mapped[list[Correction]]:
        name, kind = cls.__name__, cls.kind  # type: ignore[attr-defined]  # the mapped class
        return relationship(
            "Correction",
            primaryjoin=(
                f"and_(foreign(Correction.target_id) == {name}.id, "
                f"Correction.target_kind == '{kind}')"
            ),
            viewonly=True,
            order_by="Correction.seq",
        )

    @property
    def rectification(self) -> Correction | None:
        corrections: list[Correction] = self.corrections
        return next((c for c in corrections if c.action == CorrectionAction.RECTIFY), None)

    @property
    def withdrawal(self) -> Correction | None:
        corrections: list[Correction] = self.corrections
        return next((c for c in corrections if c.action == CorrectionAction.WITHDRAW), None)

    @property
    def withdrawn(self) -> bool:
        return self.withdrawal is not None

    @property
    def latest_correction(self) -> Correction | None:
        corrections: list[Correction] = self.corrections
        return corrections[-1] if corrections else None

    @property
    def current(self) -> Any:
        """The record as it reads after its rectification (the record itself if none)."""
        rectification = self.rectification
        return Rectified(self, rectification.changes) if rectification else self


_DATE_FIELDS = frozenset({"date", "start_date", "end_date", "as_of"})


class Rectified:
    """A rectified record for display: the rectification's values over the record's own
    (typed as the columns are: dates, ``Decimal`` hours, ``balance``/``balance_cents``)."""

    def __init__(self, record: Any, changes: dict[str, Any]) -> None:
        values: dict[str, Any] = {}
        for name, value in changes.items():
            if name in _DATE_FIELDS and isinstance(value, str):
                value = date.fromisoformat(value)
            elif name == "hours" and value is not None:
                value = Decimal(str(value))
            elif name == "balance_eur" and value is not None:
                cents = int((Decimal(str(value)) * 100).to_integral_value())
                values["balance_cents"] = cents
                name, value = "balance", (Decimal(cents) / 100).quantize(Decimal("0.01"))
            values[name] = value
        self.record = record
        self.values = values

    def __getattr__(self, name: str) -> Any:
        values = self.__dict__.get("values", {})
        if name in values:
            return values[name]
        return getattr(self.__dict__["record"], name)


class Reception(Correctable, ChainedRecord, Model):
    """A first reception at a structure. ``passport_id`` is None for an anonymous one."""

    __tablename__ = "receptions"
    kind = "reception"

    date: Mapped[date]
    channel: Mapped[str] = mapped_column(String(16))
    situation: Mapped[str | None] = mapped_column(String(20))
    needs: Mapped[list[str]] = mapped_column(JSONType, default=list)
    outcome: Mapped[str | None] = mapped_column(String(16))
    summary: Mapped[str | None] = mapped_column(EncryptedText)


class Referral(Correctable, ChainedRecord, Model):
    """A fiche navette from the issuing structure to ``to_structure``."""

    __tablename__ = "referrals"
    kind = "referral"

    to_structure_id: Mapped[int] = mapped_column(
        ForeignKey("structures.id", ondelete="RESTRICT"), index=True
    )
    needs: Mapped[list[str]] = mapped_column(JSONType, default=list)
    message: Mapped[str | None] = mapped_column(EncryptedText)
    status: Mapped[str] = mapped_column(String(16), default=ReferralStatus.SENT.value, index=True)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    to_structure: Mapped[Structure] = relationship(foreign_keys=[to_structure_id], lazy="joined")
    events: Mapped[list[ReferralEvent]] = relationship(
        back_populates="referral", order_by="ReferralEvent.id", passive_deletes=True
    )

    @property
    def appointment(self) -> ReferralEvent | None:
        """The status change that set the appointment (date, place, contact), if any."""
        return next((e for e in reversed(self.events) if e.appointment_at is not None), None)

    @property
    def decline(self) -> ReferralEvent | None:
        """The status change that declined the referral, if any."""
        return next((e for e in self.events if e.status == ReferralStatus.DECLINED), None)


class ReferralEvent(ChainedRecord, Model):
    """One status change of a referral, written by the receiving structure."""

    __tablename__ = "referral_events"
    kind = "referral_status"

    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(EncryptedText)
    #: The appointment, with the status ``appointment``: when, where, whom to ask for.
    appointment_at: Mapped[datetime | None]
    appointment_place: Mapped[str | None] = mapped_column(EncryptedText)
    appointment_contact: Mapped[str | None] = mapped_column(EncryptedText)
    #: A ``DeclineReason``, with the status ``declined``.
    reason: Mapped[str | None] = mapped_column(String(32))

    referral: Mapped[Referral] = relationship(back_populates="events")


class Training(Correctable, ChainedRecord, Model):
    """A training, declared by the holder or attested (and signed) by a structure."""

    __tablename__ = "trainings"
    kind = "training"

    title: Mapped[str] = mapped_column(String(300))
    provider: Mapped[str | None] = mapped_column(String(300))
    certification_code: Mapped[str | None] = mapped_column(String(32))
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(16))
    hours: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))  # 1.25 = 1 h 15
    funding: Mapped[str | None] = mapped_column(String(200))
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("trainings.id", ondelete="SET NULL")
    )
    superseded: Mapped[bool] = mapped_column(default=False, index=True)


class CpfStatement(Correctable, ChainedRecord, Model):
    """A dated CPF balance, declared by the holder from their statement or attested."""

    __tablename__ = "cpf_statements"
    kind = "cpf_statement"

    as_of: Mapped[date]
    balance_cents: Mapped[int]
    dif_hours: Mapped[int | None]
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("cpf_statements.id", ondelete="SET NULL")
    )
    superseded: Mapped[bool] = mapped_column(default=False, index=True)

    @property
    def balance(self) -> Decimal:
        return (Decimal(self.balance_cents) / 100).quantize(Decimal("0.01"))


#: The kinds of record a structure may correct, and the fields a rectification may change
#: (the API's field names: ``balance_eur`` for a CPF statement).
CORRECTABLE_FIELDS: dict[str, tuple[str, ...]] = {
    "reception": ("date", "channel", "situation", "needs", "outcome", "summary"),
    "referral": ("needs", "message"),
    "training": (
        "title",
        "provider",
        "certification_code",
        "start_date",
        "end_date",
        "status",
        "hours",
        "funding",
    ),
    "cpf_statement": ("as_of", "balance_eur", "dif_hours"),
}


class Correction(ChainedRecord, Model):
    """A structure rectifies or withdraws a record it wrote: a signed link of the chain.

    ``target_kind``/``target_id`` name the corrected record, ``target_seq``/``target_hash``
    pin it in the chain (so the signature vouches for exactly that record). ``changes``
    (rectify only) are the new values, as JSON in the API's field names, encrypted at rest
    like every free text. A record has at most one rectification and one withdrawal (the
    unique constraint), and nothing comes after a withdrawal (``records.services``).
    """

    __tablename__ = "corrections"
    kind = "correction"

    target_kind: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int]
    target_seq: Mapped[int | None]
    target_hash: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(EncryptedText)
    changes_text: Mapped[str | None] = mapped_column(EncryptedText)

    @declared_attr.directive
    def __table_args__(cls):
        return (
            UniqueConstraint("passport_id", "seq", name="uq_corrections_chain"),
            UniqueConstraint(
                "target_kind", "target_id", "action", name="uq_corrections_target_action"
            ),
            Index("ix_corrections_target", "target_kind", "target_id"),
        )

    @property
    def changes(self) -> dict[str, Any]:
        return json.loads(self.changes_text) if self.changes_text else {}


class CorrectionRequest(Model):
    """The holder asks the structure that wrote a record to correct it (RGPD art. 16).

    It waits in the structure's workspace until the structure corrects the record
    (``correction_id``) or closes the request (``closed_at``).
    """

    __tablename__ = "correction_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    passport_id: Mapped[int] = mapped_column(
        ForeignKey("passports.id", ondelete="CASCADE"), index=True
    )
    structure_id: Mapped[int] = mapped_column(
        ForeignKey("structures.id", ondelete="CASCADE"), index=True
    )
    target_kind: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int]
    message: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    correction_id: Mapped[int | None] = mapped_column(
        ForeignKey("corrections.id", ondelete="SET NULL")
    )

    structure: Mapped[Structure] = relationship()
    passport: Mapped[Passport] = relationship()
    correction: Mapped[Correction | None] = relationship()
