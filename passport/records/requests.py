"""The holder asks the structure that wrote a record to correct it (RGPD, right to
rectification): ``request_correction`` files the request, the structure finds it in its
workspace (``open_requests``) and either corrects the record (``correct_for_request``: the
request is the holder's consent for that one record, no share needed) or closes it.

Mail to the structure is queued by the caller (``passport.notifications.corrections``).
Functions flush, never commit.
"""

from __future__ import annotations

from passport.accounts.models import User
from passport.db import utcnow, valid_id
from passport.extensions import db
from passport.pagination import Page, paginate
from passport.passports.models import Correction, CorrectionRequest, Passport
from passport.records import services as records
from passport.records.access import log_structure_write
from passport.structures.models import Structure

MESSAGE_MAX = 2000


class RequestClosed(records.RecordError):
    """The request was already answered or closed."""


def request_correction(passport: Passport, record, message: str) -> CorrectionRequest:
    """File the holder's request about one of their records written by a structure.

    ``RecordNotFound`` for a record of another passport or one the holder declared (theirs
    to edit), ``AlreadyCorrected`` for a withdrawn record, ValueError for an empty message.
    """
    if record.passport_id != passport.id or record.issuer_structure_id is None:
        raise records.RecordNotFound(record.id)
    if record.withdrawn:
        raise records.AlreadyCorrected("withdrawn")
    message = (message or "").strip()
    if not message or len(message) > MESSAGE_MAX:
        raise ValueError("a message of 1 to 2000 characters")
    request = CorrectionRequest(
        passport_id=passport.id,
        structure_id=record.issuer_structure_id,
        target_kind=record.kind,
        target_id=record.id,
        message=message,
    )
    db.session.add(request)
    db.session.flush()
    return request


def requests_about(passport: Passport, record) -> list[CorrectionRequest]:
    """The holder's requests about one record, newest first."""
    return list(
        db.session.execute(
            db.select(CorrectionRequest)
            .where(
                CorrectionRequest.passport_id == passport.id,
                CorrectionRequest.target_kind == record.kind,
                CorrectionRequest.target_id == record.id,
            )
            .order_by(CorrectionRequest.id.desc())
        ).scalars()
    )


def open_requests(structure: Structure, page: int = 1, per_page: int = 20) -> Page:
    """The structure's requests still waiting for an answer, oldest first."""
    return paginate(
        db.select(CorrectionRequest)
        .where(
            CorrectionRequest.structure_id == structure.id,
            CorrectionRequest.closed_at.is_(None),
        )
        .order_by(CorrectionRequest.created_at, CorrectionRequest.id),
        page,
        per_page,
    )


def open_request_count(structure_id: int) -> int:
    return db.session.execute(
        db.select(db.func.count(CorrectionRequest.id)).where(
            CorrectionRequest.structure_id == structure_id,
            CorrectionRequest.closed_at.is_(None),
        )
    ).scalar_one()


def get_request(structure: Structure, request_id: int) -> CorrectionRequest:
    """One of the structure's requests; ``RecordNotFound`` for any other."""
    request = db.session.get(CorrectionRequest, request_id) if valid_id(request_id) else None
    if request is None or request.structure_id != structure.id:
        raise records.RecordNotFound(request_id)
    return request


def target_of(request: CorrectionRequest):
    """The record the request is about."""
    return records.find_correctable(
        request.passport_id, request.target_id, kind=request.target_kind
    )


def close_request(request: CorrectionRequest, correction: Correction | None = None) -> None:
    if request.closed_at is not None:
        raise RequestClosed(request.id)
    request.closed_at = utcnow()
    request.correction = correction
    db.session.flush()


def correct_for_request(
    request: CorrectionRequest,
    structure: Structure,
    *,
    action: str,
    reason: str,
    changes: dict | None = None,
    advisor: User | None = None,
) -> Correction:
    """Correct the record a request is about and close the request; the holder sees the
    structure's write in their access log, as for a referral's status change."""
    if request.closed_at is not None:
        raise RequestClosed(request.id)
    record = target_of(request)
    correction = records.correct_record(
        structure, record, action=action, reason=reason, changes=changes, advisor=advisor
    )
    close_request(request, correction)
    log_structure_write(request.passport_id, structure=structure, advisor=advisor)
    db.session.flush()
    return correction
