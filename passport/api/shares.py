"""Sharing endpoints: /api/v1/me/shares, /api/v1/me/access-log, /api/v1/shared/{token}.

Every decision comes from ``passport.sharing.policy`` (through the services); a failure to
open a share is committed (the ``denied`` access-log row, the passcode counter) before the
problem is answered. Records written through a share go through ``passport.records``, as
the share's structure and advisor.
"""

from __future__ import annotations

from flask import g, request

from passport.accounts.models import Role
from passport.api import bp
from passport.api.auth import current_caller, require_roles
from passport.api.idempotency import idempotent
from passport.api.openapi import doc
from passport.api.schemas import CpfIn, TrainingIn, parse
from passport.api.serializers import (
    correction_json,
    cpf_json,
    passport_json,
    reception_json,
    referral_json,
    training_json,
)
from passport.api.share_schemas import (
    PAGE_QUERY,
    CorrectionIn,
    ReceptionIn,
    ReferralIn,
    ShareIn,
    page_headers,
    query_int,
    typed_changes,
)
from passport.errors import Problem
from passport.extensions import db
from passport.passports import services as passports
from passport.records import services as records
from passport.sharing import policy
from passport.sharing import services as sharing
from passport.sharing.limits import share_creation_limit
from passport.sharing.models import AccessLogEntry, ShareLink
from passport.structures import services as structures
from passport.trust.canonical import iso_timestamp
from passport.workspace import services as workspace

PASSCODE_HEADER = "X-Share-Passcode"


def forbidden(detail: str = "This action is not allowed for this caller.") -> Problem:
    return Problem(403, "Forbidden", detail)


def _invalid(errors: dict[str, list[str]]) -> Problem:
    return Problem(
        422, "Unprocessable Content", "Some fields are missing or invalid.", errors=errors
    )


def share_problem(exc: sharing.ShareError) -> Problem:
    """The problem answer of a share that cannot be used."""
    extra: dict = {}
    headers: dict[str, str] = {}
    if isinstance(exc, sharing.PasscodeRequired | sharing.PasscodeWrong):
        extra["remaining_attempts"] = exc.remaining
        headers["WWW-Authenticate"] = f'Passcode realm="share", header="{PASSCODE_HEADER}"'
    elif isinstance(exc, sharing.ShareGone):
        extra["state"] = exc.state
    elif isinstance(exc, sharing.ShareLocked):
        extra["state"] = "locked"
    return Problem(exc.status, exc.title, exc.detail, headers=headers, extra=extra)


def share_json(share: ShareLink) -> dict:
    """A share without its secret."""
    return {
        "id": share.id,
        "created_at": iso_timestamp(share.created_at),
        "expires_at": iso_timestamp(share.expires_at),
        "revoked_at": iso_timestamp(share.revoked_at) if share.revoked_at else None,
        "permissions": list(share.permissions),
        "sections": list(share.sections),
        "structure": share.structure.code if share.structure else None,
        "uses": share.uses,
        "state": sharing.share_state(share).value,
        "label": share.label,
        "single_use": share.single_use,
        "has_passcode": share.passcode_hash is not None,
        "suspended_at": iso_timestamp(share.suspended_at) if share.suspended_at else None,
        "used_up_at": iso_timestamp(share.used_up_at) if share.used_up_at else None,
        "remaining_attempts": sharing.remaining_attempts(share) if share.passcode_hash else None,
    }


def access_json(entry: AccessLogEntry) -> dict:
    return {
        "at": iso_timestamp(entry.at),
        "share_id": entry.share_id,
        "structure": entry.structure.code if entry.structure else None,
        "structure_name": entry.structure.name if entry.structure else None,
        "advisor": entry.advisor.full_name if entry.advisor else None,
        "action": entry.action,
    }


def _my_passport(action: policy.Action):
    caller = current_caller()
    if caller.user is None:  # require_roles let only personal tokens through
        raise forbidden()
    passport = passports.passport_of(caller.user)
    if not policy.can(caller, action, passport):
        raise forbidden()
    return passport


def _my_share(share_id: int) -> ShareLink:
    passport = _my_passport(policy.Action.SHARE_LIST)
    try:
        share = sharing.get_share(passport, share_id)
    except sharing.ShareNotFound:
        raise Problem(404, "Not Found", "No such share.") from None
    if not policy.can(current_caller(), policy.Action.SHARE_MANAGE, share):
        raise Problem(404, "Not Found", "No such share.")
    return share


# ------------------------------------------------------------------ the holder's shares


@bp.post("/me/shares")
@require_roles(Role.INDIVIDUAL)
@share_creation_limit
@doc(
    "Create a share link (its URL is shown only in this answer)",
    body=ShareIn,
    responses={201: "ShareCreated", 403: None, 422: None, 429: None},
)
def create_share():
    data = parse(ShareIn)
    passport = _my_passport(policy.Action.SHARE_CREATE)
    try:
        new = sharing.create_share(
            passport,
            sections=data.sections,
            permissions=data.permissions,
            expires_in_days=data.expires_in_days,
            structure=data.structure,
            passcode=data.passcode,
            single_use=data.single_use,
            label=data.label,
        )
    except sharing.ShareInputError as exc:
        raise _invalid(exc.errors) from None
    db.session.commit()
    body = {**share_json(new.share), "url": sharing.share_url(new.token)}
    return body, 201, {"Cache-Control": "no-store"}


@bp.get("/me/shares")
@require_roles(Role.INDIVIDUAL)
@doc("The holder's share links, without their secret", responses={200: "ShareList", 403: None})
def list_shares():
    passport = _my_passport(policy.Action.SHARE_LIST)
    return [share_json(s) for s in sharing.shares_of(passport)]


@bp.get("/me/shares/<int:share_id>")
@require_roles(Role.INDIVIDUAL)
@doc(
    "One share link; with its `url` again while it is active (null otherwise)",
    responses={200: "ShareDetail", 403: None, 404: None},
)
def get_share(share_id: int):
    share = _my_share(share_id)
    return {**share_json(share), "url": sharing.link_of(share)}, 200, {"Cache-Control": "no-store"}


@bp.delete("/me/shares/<int:share_id>")
@require_roles(Role.INDIVIDUAL)
@doc("Revoke a share link: it answers 410 from now on", responses={204: None, 403: None, 404: None})
def revoke_share(share_id: int):
    sharing.revoke_share(_my_share(share_id))
    db.session.commit()
    return "", 204


@bp.post("/me/shares/<int:share_id>/suspend")
@require_roles(Role.INDIVIDUAL)
@doc("Suspend a share link (it answers 410 until resumed)", responses={200: "Share", 404: None})
def suspend_share(share_id: int):
    share = sharing.suspend_share(_my_share(share_id))
    db.session.commit()
    return share_json(share)


@bp.post("/me/shares/<int:share_id>/resume")
@require_roles(Role.INDIVIDUAL)
@doc("Resume a suspended share link", responses={200: "Share", 404: None, 410: None, 423: None})
def resume_share(share_id: int):
    share = _my_share(share_id)
    try:
        sharing.resume_share(share)
    except sharing.ShareError as exc:
        db.session.rollback()
        raise share_problem(exc) from None
    db.session.commit()
    return share_json(share)


@bp.get("/me/access-log")
@require_roles(Role.INDIVIDUAL)
@doc(
    "Who opened the holder's passport through a share, newest first",
    responses={200: "AccessLog", 403: None, 422: None},
    query=PAGE_QUERY,
)
def my_access_log():
    page_number = query_int("page", 1)
    per_page = query_int("per_page", 20, maximum=100)
    passport = _my_passport(policy.Action.ACCESS_LOG_READ)
    page = sharing.access_log(passport, page_number, per_page)
    return [access_json(e) for e in page.items], 200, page_headers(page, request.path)


# ------------------------------------------------------------------ through a share


def _open(token: str, action: sharing.Action, later: bool = False) -> sharing.Grant:
    """The grant of this request, or a problem (401/403/404/410/423) once the log is saved.
    ``later``: the use and its access-log row are ``_use``'s, at the end of the request."""
    caller = current_caller()
    if caller.structure is None:
        raise forbidden("Only a structure's key or advisor may open a share.")
    passcode = request.headers.get(PASSCODE_HEADER)
    try:
        grant = sharing.open_share(
            token,
            structure=caller.structure,
            advisor=caller.advisor,
            passcode=passcode,
            action=action,
            consume=True,
            later=later,
        )
    except sharing.ShareError as exc:
        db.session.commit()  # the "denied" row and the passcode counter must stay
        raise share_problem(exc) from None
    g.idempotency_passport_id = grant.passport.id  # a replayed answer goes with the passport
    return grant


#: The passcode header of a protected share, for the OpenAPI document.
PASSCODE_HEADER_DOC = {PASSCODE_HEADER: {"type": "string", "maxLength": 128}}


def _share_responses(success: int, schema: str) -> dict:
    return {success: schema, 401: None, 403: None, 404: None, 410: None, 423: None}


@bp.get("/shared/<token>")
@doc(
    "The passport restricted to the share's sections (header X-Share-Passcode if set)",
    responses=_share_responses(200, "Passport"),
    auth=True,
    headers=PASSCODE_HEADER_DOC,
)
def shared_passport(token: str):
    grant = _open(token, "view", later=True)
    view = passports.load_view(grant.passport, grant.sections)
    body = passport_json(view)
    try:  # the use and the access-log row last: no lock held while reading (issue 12)
        sharing.use_grant(grant, "view")
    except sharing.ShareError as exc:  # a parallel read used up a single-use share
        db.session.commit()  # the "denied" row stays
        raise share_problem(exc) from None
    db.session.commit()
    return body, 200, {"Cache-Control": "no-store"}


def _parse_then(token: str, schema, action: sharing.Action = "append"):
    grant = _open(token, action)
    data = parse(schema)  # a bad body rolls everything back (nothing consumed, nothing logged)
    return grant, data


@bp.post("/shared/<token>/receptions")
@idempotent
@doc(
    "Record a first reception in the shared passport (signed)",
    body=ReceptionIn,
    responses=_share_responses(201, "Reception"),
    auth=True,
    headers=PASSCODE_HEADER_DOC,
)
def shared_reception(token: str):
    grant, data = _parse_then(token, ReceptionIn)
    reception = records.record_reception(
        grant.structure, grant.passport.id, advisor=grant.advisor, **data.model_dump()
    )
    body = reception_json(reception)  # before the commit: nothing to reload
    db.session.commit()
    return body, 201


@bp.post("/shared/<token>/referrals")
@idempotent
@doc(
    "Send a referral (fiche navette) about the shared passport's holder",
    body=ReferralIn,
    responses=_share_responses(201, "Referral"),
    auth=True,
    headers=PASSCODE_HEADER_DOC,
)
def shared_referral(token: str):
    grant, data = _parse_then(token, ReferralIn)
    code = data.to_structure.strip()
    target = structures.get_structure(code) if code and len(code) <= 32 else None
    if target is None:
        raise _invalid({"to_structure": [f"Unknown structure code {code[:32]!r}."]})
    try:
        referral = workspace.send_referral(
            grant.structure,
            grant.passport.id,
            target,
            needs=data.needs,
            message=data.message,
            advisor=grant.advisor,
        )
    except records.SameStructure:
        raise _invalid({"to_structure": ["A structure cannot refer to itself."]}) from None
    body = referral_json(referral)  # before the commit: nothing to reload
    db.session.commit()
    return body, 201


@bp.post("/shared/<token>/trainings")
@idempotent
@doc(
    "Attest a training in the shared passport (signed)",
    body=TrainingIn,
    responses=_share_responses(201, "Training"),
    auth=True,
    headers=PASSCODE_HEADER_DOC,
)
def shared_training(token: str):
    grant, data = _parse_then(token, TrainingIn)
    training = records.attest_training(
        grant.structure, grant.passport.id, advisor=grant.advisor, **data.model_dump()
    )
    body = training_json(training)  # before the commit: nothing to reload
    db.session.commit()
    return body, 201


@bp.post("/shared/<token>/cpf")
@idempotent
@doc(
    "Attest a CPF statement in the shared passport (signed)",
    body=CpfIn,
    responses=_share_responses(201, "CpfStatement"),
    auth=True,
    headers=PASSCODE_HEADER_DOC,
)
def shared_cpf(token: str):
    grant, data = _parse_then(token, CpfIn)
    statement = records.attest_cpf(
        grant.structure, grant.passport.id, advisor=grant.advisor, **data.model_dump()
    )
    body = cpf_json(statement)  # before the commit: nothing to reload
    db.session.commit()
    return body, 201


@bp.post("/shared/<token>/corrections")
@idempotent
@doc(
    "Rectify or withdraw a record that the caller's structure wrote (a signed correction)",
    body=CorrectionIn,
    responses={**_share_responses(201, "Correction"), 409: None, 422: None},
    auth=True,
    headers=PASSCODE_HEADER_DOC,
)
def shared_correction(token: str):
    grant, data = _parse_then(token, CorrectionIn)
    try:
        record = records.find_correctable(
            grant.passport.id, data.record, kind=data.kind, structure=grant.structure
        )
    except records.RecordNotFound:
        raise Problem(404, "Not Found", "No such record in this passport.") from None
    except records.AmbiguousRecord as exc:
        raise _invalid(
            {"kind": [f"Several records have this id ({', '.join(exc.kinds)}): give its kind."]}
        ) from None
    if not policy.can(current_caller(), policy.Action.RECORD_CORRECT, record):
        raise forbidden("Only the structure that wrote a record may correct it.")
    changes = typed_changes(record, data.changes) if data.changes else data.changes
    try:
        correction = records.correct_record(
            grant.structure,
            record,
            action=data.action,
            reason=data.reason,
            changes=changes,
            advisor=grant.advisor,
        )
    except records.InvalidCorrection as exc:
        raise _invalid(exc.errors) from None
    except records.AlreadyCorrected as exc:
        raise Problem(
            409,
            "Conflict",
            f"This record was already {exc.state}: "
            + (
                "nothing can follow its withdrawal."
                if exc.state == "withdrawn"
                else "it is rectified once; withdraw it if it is still wrong."
            ),
            extra={"state": exc.state},
        ) from None
    except PermissionError:  # the policy said yes: only a race on the structure lands here
        raise forbidden("Only the structure that wrote a record may correct it.") from None
    body = correction_json(correction)  # before the commit: nothing to reload
    db.session.commit()
    return body, 201
