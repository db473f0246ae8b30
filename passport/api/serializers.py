"""Domain objects to the JSON shapes of API.md."""

from __future__ import annotations

from decimal import Decimal

from passport.passports.models import (
    Correction,
    CpfStatement,
    Reception,
    Referral,
    ReferralEvent,
    Training,
)
from passport.passports.services import PassportView
from passport.trust.canonical import iso_timestamp, issuer_of


def money(cents: int) -> float:
    """Euros as a JSON number (API.md: money in euros as numbers)."""
    return float(Decimal(cents) / 100)


def _record(record) -> dict:
    return {
        "id": record.id,
        "created_at": iso_timestamp(record.created_at),
        "issuer": issuer_of(record),
        "signature": record.signature,
        "seq": record.seq,
        "prev_hash": record.prev_hash,
        "hash": record.hash,
    }


def correction_json(c: Correction) -> dict:
    """A correction record: which record, rectify or withdraw, why, the new values."""
    return {
        **_record(c),
        "kind": c.kind,
        "record": {
            "kind": c.target_kind,
            "id": c.target_id,
            "seq": c.target_seq,
            "hash": c.target_hash,
        },
        "action": c.action,
        "reason": c.reason,
        "changes": c.changes or None,
    }


def _corrections(record) -> dict:
    """``corrected_by`` (the latest correction's id), ``withdrawn`` and the corrections."""
    latest = record.latest_correction
    return {
        "corrected_by": latest.id if latest is not None else None,
        "withdrawn": record.withdrawn,
        "corrections": [correction_json(c) for c in record.corrections],
    }


def reception_json(r: Reception) -> dict:
    return {
        **_record(r),
        **_corrections(r),
        "date": r.date.isoformat(),
        "channel": r.channel,
        "situation": r.situation,
        "needs": list(r.needs or []),
        "outcome": r.outcome,
        "summary": r.summary,
    }


def referral_json(r: Referral) -> dict:
    return {
        **_record(r),
        **_corrections(r),
        "from_structure": r.issuer_structure.code if r.issuer_structure else None,
        "to_structure": r.to_structure.code,
        "needs": list(r.needs or []),
        "message": r.message,
        "status": r.status,
        "appointment": appointment_json(r.appointment),
        "reason": r.decline.reason if r.decline else None,
        "history": [
            {
                "status": e.status,
                "at": iso_timestamp(e.created_at),
                "note": e.note,
                "appointment": appointment_json(e),
                "reason": e.reason,
                "issuer": issuer_of(e),
                "signature": e.signature,
            }
            for e in r.events
        ],
    }


def appointment_json(e: ReferralEvent | None) -> dict | None:
    if e is None or e.appointment_at is None:
        return None
    return {
        "at": iso_timestamp(e.appointment_at),
        "place": e.appointment_place,
        "contact": e.appointment_contact,
    }


def training_json(t: Training) -> dict:
    return {
        **_record(t),
        **_corrections(t),
        "title": t.title,
        "provider": t.provider,
        "certification_code": t.certification_code,
        "start_date": t.start_date.isoformat() if t.start_date else None,
        "end_date": t.end_date.isoformat() if t.end_date else None,
        "status": t.status,
        "hours": float(t.hours) if t.hours is not None else None,
        "funding": t.funding,
        "supersedes": t.supersedes_id,
    }


def cpf_json(s: CpfStatement) -> dict:
    return {
        **_record(s),
        **_corrections(s),
        "as_of": s.as_of.isoformat(),
        "balance_eur": money(s.balance_cents),
        "dif_hours": s.dif_hours,
        "supersedes": s.supersedes_id,
    }


def passport_json(view: PassportView) -> dict:
    """The passport restricted to ``view.sections`` (the holder sees every section)."""
    passport = view.passport
    body: dict = {"id": passport.id}
    if "profile" in view.sections:
        body["holder"] = {
            "full_name": passport.holder.full_name,
            "email": passport.holder.email,
            "birth_year": passport.birth_year,
            "department": passport.department,
            "situation": passport.situation,
            "qualification_level": passport.qualification_level,
        }
    if "receptions" in view.sections:
        body["receptions"] = [reception_json(r) for r in view.receptions]
    if "referrals" in view.sections:
        body["referrals"] = [referral_json(r) for r in view.referrals]
    if "trainings" in view.sections:
        body["trainings"] = [training_json(t) for t in view.trainings]
    if "cpf" in view.sections:
        current = view.cpf_current
        body["cpf"] = {
            "balance_eur": money(current.balance_cents) if current else None,
            "as_of": current.as_of.isoformat() if current else None,
            "statements": [cpf_json(s) for s in view.cpf_statements],
        }
    return body
