"""Passkeys (WebAuthn) as a second factor, through the ``webauthn`` library (py_webauthn).

A ceremony is two requests. The first hands the browser options holding a fresh random
challenge (``registration_options`` / ``authentication_options``); the browser's answer comes
back signed by the authenticator (``register`` / ``authenticate``), and the library checks the
signature, the challenge, the origin and the relying-party id.

- **Challenges** are kept server-side (``PasskeyChallenge``: SHA-256 only, bound to the
  account and the ceremony), expire after ``CHALLENGE_SECONDS`` and are spent by their first
  use, verified or not: a replayed answer, or one to a challenge of another account or of the
  other ceremony, is refused.
- **Relying party**: the id is ``WEBAUTHN_RP_ID``, else the host of ``PUBLIC_URL``; the
  expected origin is ``PUBLIC_URL``'s scheme and host. Without ``PUBLIC_URL`` (development)
  both come from the request (``http://localhost:5000`` is a secure context for browsers).
- **Sign counter**: an answer whose counter does not go up (when the authenticator keeps one)
  is refused, as a cloned authenticator would produce; the new value is written by a
  conditional UPDATE, so two racing answers cannot both pass.
- User presence is required; user verification is preferred, not required (the passkey is the
  second factor after a password).

Every refusal raises ``PasskeyError`` (a 4xx for the views, never a 500). Services
``flush()`` and never ``commit()``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, request
from flask_babel import gettext
from sqlalchemy.exc import IntegrityError
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, parse_client_data_json
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from passport.accounts.models import User
from passport.db import utcnow
from passport.extensions import db
from passport.mfa.models import Passkey, PasskeyChallenge, RecoveryCode
from passport.mfa.services import ISSUER, MfaError, has_mfa, new_recovery_codes, passkeys_of
from passport.security import secret_hash

log = logging.getLogger(__name__)

CHALLENGE_SECONDS = 300
#: The browser's own timeout (a hint), shorter than the challenge's life.
TIMEOUT_MS = 120_000
#: Challenges an account may have outstanding per ceremony (several tabs); older ones go.
MAX_OUTSTANDING = 5
#: The browser's answer, as JSON, is a few KiB; anything much larger is not one.
MAX_ANSWER_LENGTH = 64 * 1024
NAME_LENGTH = 100

REGISTER = "register"
LOGIN = "login"
_CLIENT_DATA_TYPE = {REGISTER: "webauthn.create", LOGIN: "webauthn.get"}
_TRANSPORTS = {t.value for t in AuthenticatorTransport}


class PasskeyError(MfaError):
    """The browser's answer is refused. ``reason``: ``expired`` (no such challenge: expired,
    spent, another account's or another ceremony's), ``unknown`` (not a passkey of this
    account), ``duplicate`` (already registered) or ``invalid`` (anything else)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


# -- the relying party ----------------------------------------------------------------------


def relying_party() -> tuple[str, str]:
    """(rp id, expected origin) from the configuration, else from the request (development)."""
    public = current_app.config.get("PUBLIC_URL")
    parts = urlsplit(public.rstrip("/") if public else request.host_url.rstrip("/"))
    origin = f"{parts.scheme}://{parts.netloc}"
    rp_id = current_app.config.get("WEBAUTHN_RP_ID") or parts.hostname or ""
    return rp_id, origin


def _user_handle(user: User) -> bytes:
    """A stable handle that says nothing about the account (no id, no email)."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"passkey-user:{user.id}".encode(), hashlib.sha256).digest()


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(
            id=base64url_to_bytes(p.credential_id),
            transports=[AuthenticatorTransport(t) for t in p.transports if t in _TRANSPORTS],
        )
        for p in passkeys_of(user)
    ]


# -- challenges -----------------------------------------------------------------------------


def _issue(user: User, purpose: str) -> bytes:
    """A new challenge for this account and ceremony (expired ones of anyone go)."""
    now = utcnow()
    db.session.execute(db.delete(PasskeyChallenge).where(PasskeyChallenge.expires_at < now))
    older = (
        db.select(PasskeyChallenge.id)
        .where(PasskeyChallenge.user_id == user.id, PasskeyChallenge.purpose == purpose)
        .order_by(PasskeyChallenge.id.desc())
        .offset(MAX_OUTSTANDING - 1)
    )
    stale = list(db.session.execute(older).scalars())
    if stale:
        db.session.execute(db.delete(PasskeyChallenge).where(PasskeyChallenge.id.in_(stale)))
    challenge = secrets.token_bytes(32)
    db.session.add(
        PasskeyChallenge(
            user_id=user.id,
            purpose=purpose,
            challenge_hash=secret_hash(bytes_to_base64url(challenge)),
            expires_at=now + timedelta(seconds=CHALLENGE_SECONDS),
        )
    )
    db.session.flush()
    return challenge


def _spend(user: User, purpose: str, challenge: bytes) -> bool:
    """Spend the challenge: True once, if it is a live one of this account and ceremony."""
    spent = db.session.execute(
        db.delete(PasskeyChallenge)
        .where(
            PasskeyChallenge.user_id == user.id,
            PasskeyChallenge.purpose == purpose,
            PasskeyChallenge.challenge_hash == secret_hash(bytes_to_base64url(challenge)),
            PasskeyChallenge.expires_at >= utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    return spent.rowcount == 1  # type: ignore[attr-defined]


def _read_answer(answer: str | None, purpose: str) -> tuple[dict, bytes]:
    """The browser's answer as a dict, and the challenge its client data signs."""
    if not answer or len(answer) > MAX_ANSWER_LENGTH:
        raise PasskeyError("invalid", "no answer")
    try:
        data = json.loads(answer)
        client_data = parse_client_data_json(base64url_to_bytes(data["response"]["clientDataJSON"]))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise PasskeyError("invalid", "malformed answer") from exc
    except Exception as exc:  # the library's own parse errors
        raise PasskeyError("invalid", "malformed client data") from exc
    if not isinstance(data, dict) or client_data.type != _CLIENT_DATA_TYPE[purpose]:
        raise PasskeyError("invalid", "wrong ceremony")
    return data, client_data.challenge


# -- registration ---------------------------------------------------------------------------


def registration_options(user: User) -> str:
    """Options (JSON) for ``navigator.credentials.create``; a new challenge is stored."""
    rp_id, _origin = relying_party()
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=ISSUER,
        user_name=user.email,
        user_id=_user_handle(user),
        user_display_name=user.full_name,
        challenge=_issue(user, REGISTER),
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=_descriptors(user),
    )
    return options_to_json(options)


def register(user: User, answer: str | None, name: str) -> tuple[Passkey, list[str]]:
    """Check the browser's answer to ``registration_options`` and keep the new passkey.

    The account's first second factor also gets recovery codes (returned, to show once): the
    way back when the authenticator is lost, and the ``otp`` of ``POST /auth/token``.
    """
    first = not has_mfa(user)
    data, challenge = _read_answer(answer, REGISTER)
    if not _spend(user, REGISTER, challenge):
        raise PasskeyError("expired")
    rp_id, origin = relying_party()
    try:
        verified = verify_registration_response(
            credential=data,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
        )
    except Exception as exc:  # any refusal by the library: bad client input, not our bug
        log.info("passkey registration refused for user %s: %s", user.id, exc)
        raise PasskeyError("invalid", str(exc)) from exc
    credential_id = bytes_to_base64url(verified.credential_id)
    if len(credential_id) > 1400:
        raise PasskeyError("invalid", "credential id too long")
    transports = data["response"].get("transports") or []
    passkey = Passkey(
        user_id=user.id,
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=[t for t in transports if isinstance(t, str) and t in _TRANSPORTS][:8],
        name=clean_name(name),
    )
    try:
        with db.session.begin_nested():
            db.session.add(passkey)
            db.session.flush()
    except IntegrityError as exc:  # the same authenticator registered twice
        raise PasskeyError("duplicate") from exc
    return passkey, (new_recovery_codes(user) if first else [])


# -- authentication -------------------------------------------------------------------------


def authentication_options(user: User) -> str | None:
    """Options (JSON) for ``navigator.credentials.get`` with this account's passkeys, or None
    when it has none (no challenge stored then)."""
    allowed = _descriptors(user)
    if not allowed:
        return None
    rp_id, _origin = relying_party()
    options = generate_authentication_options(
        rp_id=rp_id,
        challenge=_issue(user, LOGIN),
        timeout=TIMEOUT_MS,
        allow_credentials=allowed,
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return options_to_json(options)


def authenticate(user: User, answer: str | None) -> Passkey:
    """Check the browser's answer to ``authentication_options``: the passkey used."""
    data, challenge = _read_answer(answer, LOGIN)
    if not _spend(user, LOGIN, challenge):
        raise PasskeyError("expired")
    credential_id = data.get("id")
    passkey = (
        db.session.execute(
            db.select(Passkey).where(
                Passkey.user_id == user.id, Passkey.credential_id == credential_id
            )
        ).scalar_one_or_none()
        if isinstance(credential_id, str) and len(credential_id) <= 1400
        else None
    )
    if passkey is None:
        raise PasskeyError("unknown")
    rp_id, origin = relying_party()
    try:
        verified = verify_authentication_response(
            credential=data,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
        )
    except Exception as exc:  # any refusal by the library: bad client input, not our bug
        log.info("passkey login refused for user %s: %s", user.id, exc)
        raise PasskeyError("invalid", str(exc)) from exc
    now = utcnow()
    update = db.update(Passkey).where(Passkey.id == passkey.id)
    if verified.new_sign_count or passkey.sign_count:
        # The counter must go up; racing answers cannot both move it to the same value.
        update = update.where(Passkey.sign_count < verified.new_sign_count)
    done = db.session.execute(
        update.values(sign_count=verified.new_sign_count, last_used_at=now).execution_options(
            synchronize_session=False
        )
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise PasskeyError("invalid", "sign counter did not increase")
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = now
    return passkey


# -- the account's passkeys -----------------------------------------------------------------


def clean_name(name: str | None) -> str:
    name = " ".join((name or "").split())[:NAME_LENGTH]
    return name or gettext("Clé d'accès")


def get_passkey(user: User, passkey_id: int) -> Passkey | None:
    """One of this account's passkeys (None for another account's)."""
    passkey = db.session.get(Passkey, passkey_id)
    return passkey if passkey is not None and passkey.user_id == user.id else None


def rename(passkey: Passkey, name: str) -> None:
    passkey.name = clean_name(name)
    db.session.flush()


def delete(user: User, passkey: Passkey) -> None:
    """Remove a passkey (the caller checks that the account may lose it). With no second
    factor left, the recovery codes go too."""
    db.session.delete(passkey)
    db.session.flush()
    if not has_mfa(user):
        db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
        db.session.flush()
