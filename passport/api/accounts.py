"""Accounts and personal tokens: /api/v1/accounts, /api/v1/auth/token."""

from __future__ import annotations

from flask import request

from passport.accounts import services as accounts
from passport.accounts import throttle
from passport.api import bp
from passport.api.auth import current_caller
from passport.api.openapi import doc
from passport.api.schemas import AccountIn, TokenIn, parse
from passport.errors import Problem
from passport.extensions import db, limiter
from passport.mfa import services as mfa
from passport.trust.canonical import iso_timestamp

ACCOUNT_RATE = "20 per minute"  # API.md: at least 10 a minute per client address


def _email_in_body() -> str | None:
    data = request.get_json(force=True, silent=True, cache=True)  # whatever the Content-Type
    email = data.get("email") if isinstance(data, dict) else None
    if not isinstance(email, str):
        return None
    return accounts.normalize_email(email)[:254] or None


@bp.post("/accounts")
@limiter.limit(ACCOUNT_RATE)
@doc("Create a holder's account", body=AccountIn, responses={201: "Account", 409: None, 422: None})
def create_account():
    data = parse(AccountIn)
    try:
        user = accounts.register_individual(data.email, data.password, data.full_name)
    except accounts.EmailTaken:
        raise Problem(409, "Conflict", "An account with this email already exists.") from None
    db.session.commit()
    return {"id": user.id, "email": user.email, "full_name": user.full_name, "role": user.role}, 201


@bp.post("/auth/token")
@limiter.limit(ACCOUNT_RATE)
@doc("Get a personal bearer token", body=TokenIn, responses={201: "Token", 401: None, 429: None})
def create_token():
    # Failures share one budget per account with the web login (accounts/throttle.py).
    email = _email_in_body()
    if email:
        throttle.check(email)
    data = parse(TokenIn)
    email = accounts.normalize_email(data.email)
    user = accounts.authenticate(email, data.password)
    if user is None:
        throttle.failed(email)
        raise Problem(401, "Unauthorized", "Wrong email or password.")
    if mfa.has_mfa(user) and not mfa.check_code(user, data.otp):
        if data.otp:
            throttle.failed(email)
        detail = "A second factor is required: send `otp`." if not data.otp else "Wrong otp."
        raise Problem(401, "Unauthorized", detail, extra={"mfa_required": True})
    secret, token = accounts.issue_token(user)
    db.session.commit()
    return {
        "access_token": secret,
        "token_type": "Bearer",  # nosec B105  # the OAuth token type, not a secret
        "expires_at": iso_timestamp(token.expires_at),
    }, 201


@bp.delete("/auth/token")
@doc("Revoke the token of this request", responses={204: None, 401: None}, auth=True)
def delete_token():
    caller = current_caller()
    if caller.token is None:
        raise Problem(403, "Forbidden", "Structure API keys are revoked by their structure.")
    accounts.revoke_token(caller.token)
    db.session.commit()
    return "", 204
