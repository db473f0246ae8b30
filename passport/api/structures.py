"""Structure-side endpoints: /api/v1/referrals, /api/v1/receptions (the directory is in
``api/directory.py``)."""

from __future__ import annotations

from flask import request

from passport.api import bp
from passport.api.auth import current_caller, require_structure_caller
from passport.api.idempotency import idempotent
from passport.api.openapi import doc
from passport.api.schemas import parse
from passport.api.serializers import reception_json, referral_json
from passport.api.share_schemas import (
    PAGE_QUERY,
    ReceptionIn,
    ReferralStatusIn,
    page_headers,
    query_choice,
    query_int,
)
from passport.errors import Problem
from passport.extensions import db
from passport.pagination import Page
from passport.passports.models import ReferralStatus
from passport.records import services as records
from passport.sharing import policy
from passport.workspace import services as workspace


def _referral_with_person(referral, names: dict[int, str]) -> dict:
    body = referral_json(referral)
    body["passport"] = referral.passport_id
    body["person"] = (
        {"full_name": names[referral.passport_id]} if referral.passport_id in names else None
    )
    return body


@bp.get("/referrals")
@require_structure_caller
@doc(
    "Referrals addressed to the caller's structure, newest first",
    responses={200: "ReferralList", 403: None, 422: None},
    query={"status": {"enum": [s.value for s in ReferralStatus]}, **PAGE_QUERY},
)
def list_referrals():
    caller = current_caller()
    status = query_choice("status", [s.value for s in ReferralStatus], what="status")
    page_number = query_int("page", 1)
    per_page = query_int("per_page", 20, maximum=100)
    structure = caller.structure
    if not policy.can(caller, policy.Action.REFERRAL_LIST, structure):
        raise Problem(403, "Forbidden", "Only a structure's key or advisor may call this.")
    referrals, total, names = workspace.referrals_page(structure, status, page_number, per_page)
    page = Page(items=referrals, page=page_number, per_page=per_page, total=total)
    body = [_referral_with_person(r, names) for r in referrals]
    return body, 200, page_headers(page, request.path)


@bp.patch("/referrals/<int:referral_id>")
@require_structure_caller
@doc(
    "Move a referral along its workflow (receiving structure only)",
    body=ReferralStatusIn,
    responses={200: "Referral", 403: None, 404: None, 409: None, 422: None},
)
def update_referral(referral_id: int):
    caller = current_caller()
    data = parse(ReferralStatusIn)
    referral = workspace.get_referral(referral_id)
    if referral is None:
        raise Problem(404, "Not Found", "No such referral.")
    structure = caller.structure
    if structure is None or not policy.can(caller, policy.Action.REFERRAL_UPDATE, referral):
        raise Problem(403, "Forbidden", "Only the receiving structure changes a referral's status.")
    appointment = (
        records.Appointment(
            at=data.appointment.at, place=data.appointment.place, contact=data.appointment.contact
        )
        if data.appointment is not None
        else None
    )
    try:
        workspace.change_referral_status(
            referral,
            structure,
            data.status,
            note=data.note,
            advisor=caller.advisor,
            appointment=appointment,
            reason=data.reason.value if data.reason else None,
        )
    except records.MissingDetail as exc:
        raise Problem(
            422,
            "Unprocessable Content",
            "Some fields are missing or invalid.",
            errors={exc.field: [str(exc)]},
        ) from None
    except records.WorkflowError:
        raise Problem(
            409,
            "Conflict",
            f"A referral cannot go from {referral.status} to {data.status}.",
            extra={"current_status": referral.status},
        ) from None
    except PermissionError:  # the policy said yes: only a race on the structure could land here
        raise Problem(403, "Forbidden", "Only the receiving structure changes it.") from None
    db.session.commit()
    return referral_json(referral)


@bp.post("/receptions")
@require_structure_caller
@idempotent
@doc(
    "Record an anonymous first reception (barometer of needs)",
    body=ReceptionIn,
    responses={201: "Reception", 403: None},
)
def anonymous_reception():
    caller = current_caller()
    if not policy.can(caller, policy.Action.RECEPTION_ANONYMOUS):
        raise Problem(403, "Forbidden", "Only a structure's key or advisor may call this.")
    data = parse(ReceptionIn)
    reception = records.record_reception(
        caller.structure, None, advisor=caller.advisor, **data.model_dump()
    )
    db.session.commit()
    return reception_json(reception), 201
