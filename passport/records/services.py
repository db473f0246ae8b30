"""One function per kind of record; each builds it and appends it with ``chain.append``.

Structures' records (receptions, referrals and their status, attested trainings and CPF
statements) are stamped with the structure (and advisor, when a person wrote them) and
signed with the structure's key. The structure that wrote a record corrects it with
``correct_record``: a signed ``Correction`` appended to the chain (the record stays).
What the holder declares (trainings, CPF statements) is chained but not signed.
Self-declared records are never edited in place: an edit appends a new version that
supersedes the old one, so the hash chain stays intact; records a structure wrote
(``issuer_structure_id`` set) cannot be edited by anyone.

Access checks happen before these calls (``passport.sharing``); these functions only write.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from passport.accounts.models import User
from passport.db import utcnow, valid_id
from passport.extensions import db
from passport.indicators import aggregates
from passport.passports.models import (
    CORRECTABLE_FIELDS,
    REFERRAL_TRANSITIONS,
    Correction,
    CorrectionAction,
    CpfStatement,
    DeclineReason,
    Passport,
    Reception,
    Rectified,
    Referral,
    ReferralEvent,
    ReferralStatus,
    Training,
)
from passport.records import chain
from passport.records.access import log_structure_write
from passport.structures.models import Structure
from passport.trust.canonical import canonical_json, record_content

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

#: A training's hours are kept to the scale of trainings.hours, NUMERIC(8,2) (1.25 is 1 h 15).
HOURS_STEP = Decimal("0.01")


class RecordError(Exception):
    """Base class of the errors of writing a record."""


class RecordNotFound(RecordError):
    pass


class NotEditable(RecordError):
    """The record was attested by a structure, or is an old version."""


class WorkflowError(RecordError):
    """A referral status change that the fiche navette workflow forbids."""


class SameStructure(RecordError):
    """A structure cannot refer a person to itself."""


class MissingDetail(RecordError, ValueError):
    """An appointment without its date, or a decline without its reason; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class AlreadyCorrected(RecordError):
    """The record was withdrawn (nothing comes after), or already rectified once."""

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state  # "withdrawn" | "rectified"


class AmbiguousRecord(RecordError):
    """Several records of the passport have this id (ids are unique per kind): name it."""

    def __init__(self, kinds: list[str]) -> None:
        super().__init__(kinds)
        self.kinds = kinds


class InvalidCorrection(RecordError, ValueError):
    """A correction without its reason, or changes that do not fit: ``errors`` by field."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class Appointment:
    """When, where and whom to ask for: shown openly to the holder and the sender."""

    at: datetime
    place: str | None = None
    contact: str | None = None


# ------------------------------------------------------------------ structures' records


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
    chain.append(reception, passport_id, issuer=structure)
    aggregates.count_reception(reception)
    return reception


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
    now = utcnow().replace(microsecond=0)
    referral = Referral(
        to_structure=to_structure,
        needs=sorted(set(needs)),
        message=message,
        status=ReferralStatus.SENT.value,
        status_changed_at=now,
        issuer_advisor=advisor,
    )
    chain.append(referral, passport_id, issuer=structure, at=now)
    aggregates.count_referral(referral)
    return referral


def change_referral_status(
    referral: Referral,
    structure: Structure,
    status: str,
    *,
    note: str | None = None,
    advisor: User | None = None,
    appointment: Appointment | None = None,
    reason: str | None = None,
) -> ReferralEvent:
    """Move a referral along the workflow; only the receiving structure may.

    ``appointment`` goes with the status ``appointment`` and ``reason`` (a DeclineReason)
    with ``declined``: MissingDetail when one is missing or given with another status. The
    change is an ``append`` by the structure in the holder's access log.
    """
    if referral.to_structure_id != structure.id:
        raise PermissionError("only the receiving structure changes a referral's status")
    # Lock the chain first so that two parallel changes see each other's status.
    if referral.passport_id is not None:
        chain.lock_passport(referral.passport_id)
    db.session.refresh(referral, ["status"])
    old_status = referral.status
    if referral.withdrawn:  # withdrawn by its sender: nothing follows
        raise WorkflowError(f"{old_status} (withdrawn) -> {status}")
    if status not in REFERRAL_TRANSITIONS.get(old_status, frozenset()):
        raise WorkflowError(f"{old_status} -> {status}")
    _check_details(status, appointment, reason)
    event = ReferralEvent(
        referral_id=referral.id,
        status=status,
        note=note,
        issuer_advisor=advisor,
        appointment_at=appointment.at if appointment else None,
        appointment_place=appointment.place if appointment else None,
        appointment_contact=appointment.contact if appointment else None,
        reason=reason,
    )
    event = chain.append(event, referral.passport_id, issuer=structure)
    aggregates.count_status_change(referral, old_status, event)
    db.session.expire(referral, ["events"])
    referral.status = status
    referral.status_changed_at = utcnow()
    if referral.passport_id is not None:
        log_structure_write(referral.passport_id, structure=structure, advisor=advisor)
    db.session.flush()
    return event


def _check_details(status: str, appointment: Appointment | None, reason: str | None) -> None:
    if status == ReferralStatus.APPOINTMENT and appointment is None:
        raise MissingDetail("appointment", "An appointment needs its date and time.")
    if status != ReferralStatus.APPOINTMENT and appointment is not None:
        raise MissingDetail("appointment", "An appointment goes with the status appointment.")
    if status == ReferralStatus.DECLINED and not reason:
        raise MissingDetail("reason", "A decline needs its reason.")
    if status != ReferralStatus.DECLINED and reason:
        raise MissingDetail("reason", "A reason goes with the status declined.")
    if reason and reason not in {r.value for r in DeclineReason}:
        raise MissingDetail("reason", "Unknown reason.")


def attest_training(
    structure: Structure, passport_id: int, *, advisor: User | None = None, **values
) -> Training:
    """A training attested (and signed) by the structure."""
    training = Training(**clean_training_values(values), issuer_advisor=advisor)
    return chain.append(training, passport_id, issuer=structure)


def attest_cpf(
    structure: Structure,
    passport_id: int,
    *,
    as_of: date,
    balance_eur: Decimal,
    dif_hours: int | None = None,
    advisor: User | None = None,
) -> CpfStatement:
    """A CPF statement attested (and signed) by the structure, e.g. read with the person."""
    statement = CpfStatement(
        as_of=as_of,
        balance_cents=to_cents(balance_eur),
        dif_hours=dif_hours,
        issuer_advisor=advisor,
    )
    return chain.append(statement, passport_id, issuer=structure)


# ------------------------------------------------------------------ corrections

#: The records a structure may correct, by kind.
CORRECTABLE_MODELS: dict[str, Any] = {
    "reception": Reception,
    "referral": Referral,
    "training": Training,
    "cpf_statement": CpfStatement,
}
REASON_MAX = 2000


def find_correctable(passport_id: int, record_id: int, *, kind: str | None = None, structure=None):
    """The passport's record with this id, of ``kind`` when given.

    A record's id is unique within its kind only: without ``kind``, the only record of the
    passport with this id, else the only one of them that ``structure`` wrote (the only one
    it may correct); ``AmbiguousRecord`` when it wrote several, ``RecordNotFound`` when
    there is none.
    """
    if not valid_id(record_id) or (kind is not None and kind not in CORRECTABLE_MODELS):
        raise RecordNotFound(record_id)
    models = [CORRECTABLE_MODELS[kind]] if kind else list(CORRECTABLE_MODELS.values())
    found = []
    for model in models:
        record = db.session.get(model, record_id)
        if record is not None and passport_id is not None and record.passport_id == passport_id:
            found.append(record)
    if not found:
        raise RecordNotFound(record_id)
    if len(found) == 1:
        return found[0]
    mine = [r for r in found if structure is not None and r.issuer_structure_id == structure.id]
    if len(mine) == 1:
        return mine[0]
    if not mine:  # it may correct none of them: any one gets the same refusal
        return found[0]
    raise AmbiguousRecord(sorted(r.kind for r in mine))


def current_values(record) -> dict[str, Any]:
    """The record's correctable fields as plain JSON values (API names), as first signed."""
    content = record_content(record)
    return {name: content.get(name) for name in CORRECTABLE_FIELDS[record.kind]}


def _plain_change(name: str, value: Any) -> Any:
    if name == "needs" and value is not None:
        value = sorted({str(v) for v in value})
    elif name == "hours" and value is not None:
        value = Decimal(value).quantize(HOURS_STEP, ROUND_HALF_UP)
    elif name == "balance_eur" and value is not None:
        value = Decimal(to_cents(value)) / 100
    elif isinstance(value, str):
        value = value.strip() or None
    return json.loads(canonical_json(value))


def correction_changes(record, action: str, changes: dict[str, Any] | None) -> dict[str, Any]:
    """The plain JSON of what a rectification changes; ``InvalidCorrection`` otherwise."""
    if action == CorrectionAction.WITHDRAW:
        if changes:
            raise InvalidCorrection({"changes": ["A withdrawal changes nothing: leave it out."]})
        return {}
    if not changes:
        raise InvalidCorrection({"changes": ["A rectification names the fields it changes."]})
    allowed = CORRECTABLE_FIELDS[record.kind]
    errors = {
        f"changes.{name}": [f"A {record.kind} cannot change its {name!r} field."]
        for name in changes
        if name not in allowed
    }
    if errors:
        raise InvalidCorrection(errors)
    current = current_values(record)
    plain = {name: _plain_change(name, value) for name, value in changes.items()}
    effective = {name: value for name, value in plain.items() if value != current[name]}
    if not effective:
        raise InvalidCorrection(
            {"changes": ["These values are the record's own: nothing changes."]}
        )
    return dict(sorted(effective.items()))


def correct_record(
    structure: Structure,
    record,
    *,
    action: str,
    reason: str,
    changes: dict[str, Any] | None = None,
    advisor: User | None = None,
) -> Correction:
    """Rectify (new values in ``changes``) or withdraw a record the structure wrote.

    The correction is a signed link of the record's chain that names the record (kind, id,
    seq, hash); the record itself is never changed. A record is rectified at most once and
    withdrawn at most once, and nothing comes after its withdrawal (``AlreadyCorrected``).
    PermissionError when ``structure`` did not write the record; ``InvalidCorrection`` for a
    missing reason or changes that do not fit the record. The indicators' monthly counts
    follow in the same transaction (``aggregates.count_correction``): a withdrawn record no
    longer counts, a rectified reception counts with its new values.
    """
    if record.kind not in CORRECTABLE_FIELDS or record.passport_id is None:
        raise NotEditable(record.id)
    if record.issuer_structure_id != structure.id:
        raise PermissionError("only the structure that wrote a record corrects it")
    if action not in {a.value for a in CorrectionAction}:
        raise InvalidCorrection({"action": ["Unknown action."]})
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise InvalidCorrection({"reason": [f"A reason of 1 to {REASON_MAX} characters."]})
    plain = correction_changes(record, action, changes)
    chain.lock_passport(record.passport_id)  # a parallel correction waits here, then sees this
    done = {
        earlier.action: earlier
        for earlier in db.session.execute(
            db.select(Correction).where(
                Correction.target_kind == record.kind, Correction.target_id == record.id
            )
        ).scalars()
    }
    if CorrectionAction.WITHDRAW in done:
        raise AlreadyCorrected("withdrawn")
    if action == CorrectionAction.RECTIFY and CorrectionAction.RECTIFY in done:
        raise AlreadyCorrected("rectified")
    # What the indicators counted until now: read under the lock, not from a loaded record.
    rectified = done.get(CorrectionAction.RECTIFY)
    before = Rectified(record, rectified.changes) if rectified is not None else record
    correction = Correction(
        target_kind=record.kind,
        target_id=record.id,
        target_seq=record.seq,
        target_hash=record.hash,
        action=action,
        reason=reason,
        changes_text=canonical_json(plain).decode() if plain else None,
        issuer_advisor=advisor,
    )
    correction = chain.append(correction, record.passport_id, issuer=structure)
    aggregates.count_correction(before, correction)
    db.session.expire(record, ["corrections"])
    return correction


# ------------------------------------------------------------------ what the holder declares


def clean_training_values(values: dict) -> dict:
    """Check the field names and round hours to the hundredth (the column's precision), so that
    what is hashed and signed is what both databases store."""
    unknown = set(values) - set(TRAINING_FIELDS)
    if unknown:
        raise ValueError(f"unknown training fields {sorted(unknown)}")
    hours = values.get("hours")
    if hours is not None:
        values = {**values, "hours": Decimal(hours).quantize(HOURS_STEP, ROUND_HALF_UP)}
    return values


def declare_training(passport: Passport, **values) -> Training:
    """A training the holder declares themselves (``issuer`` None, unsigned)."""
    training = Training(**clean_training_values(values))
    return chain.append(training, passport.id)


def get_training(passport: Passport, training_id: int) -> Training:
    """One of the passport's trainings; RecordNotFound for another passport's."""
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
    """One of the passport's CPF statements; RecordNotFound for another passport's."""
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
    """A corrected CPF statement; the old one is kept, superseded."""
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
