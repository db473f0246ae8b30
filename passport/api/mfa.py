"""Two-factor enrolment through the API: /api/v1/me/mfa/totp, /me/mfa/totp/confirm.

A token issued to an account whose role must have a second factor (``MFA_REQUIRED_ROLES``)
and has none yet opens only these two endpoints (and ``DELETE /auth/token``): everything
else answers 403 until the TOTP is confirmed, as the web site sends such an account to
enrolment before anything else.
"""

from __future__ import annotations

from flask import request

from passport.accounts.models import Role
from passport.api import bp
from passport.api.auth import bearer_secret, current_caller, require_roles
from passport.api.openapi import doc
from passport.api.schemas import TotpConfirmIn, parse
from passport.errors import Problem
from passport.extensions import db
from passport.mfa import services as mfa

ANY_ROLE = tuple(Role)
#: Endpoints open to a token whose account must still enrol a second factor.
ENROLMENT_ENDPOINTS = frozenset(
    {"api.start_totp", "api.confirm_totp", "api.delete_token", "api.create_token"}
)


@bp.before_request
def _enrolment_first():
    if request.endpoint in ENROLMENT_ENDPOINTS or bearer_secret() is None:
        return
    try:
        caller = current_caller()
    except Problem:
        return  # the endpoint answers as it does for a bad token
    user = caller.user
    if user is None or not mfa.mfa_required(user):
        return  # a structure key, or a role that need not enrol: nothing to check
    # Read by the token's own query (``current_caller``); asked here only if it was not.
    known = caller.mfa_satisfied
    if not (known if known is not None else mfa.has_mfa(user)):
        raise Problem(
            403,
            "Forbidden",
            "This account must enrol a second factor first (POST /api/v1/me/mfa/totp).",
            extra={"mfa_enrolment_required": True},
        )


@bp.post("/me/mfa/totp")
@require_roles(*ANY_ROLE)
@doc("Start a TOTP enrolment", responses={201: "TotpEnrolment", 409: None})
def start_totp():
    try:
        secret, uri = mfa.start_totp(current_caller().user)
    except mfa.AlreadyEnrolled:
        raise Problem(409, "Conflict", "A TOTP is already confirmed for this account.") from None
    db.session.commit()
    return {"secret": secret, "otpauth_uri": uri}, 201


@bp.post("/me/mfa/totp/confirm")
@require_roles(*ANY_ROLE)
@doc(
    "Confirm the TOTP with a current code",
    body=TotpConfirmIn,
    responses={200: "RecoveryCodes", 409: None, 422: None},
)
def confirm_totp():
    data = parse(TotpConfirmIn)
    try:
        codes = mfa.confirm_totp(current_caller().user, data.code)
    except mfa.NotStarted:
        raise Problem(409, "Conflict", "Start with POST /api/v1/me/mfa/totp.") from None
    except mfa.AlreadyEnrolled:
        raise Problem(409, "Conflict", "A TOTP is already confirmed for this account.") from None
    except mfa.WrongCode:
        raise Problem(
            422,
            "Unprocessable Content",
            "The code is wrong, expired or already used.",
            errors={"code": ["The code is wrong, expired or already used."]},
        ) from None
    db.session.commit()
    return {"recovery_codes": codes}
