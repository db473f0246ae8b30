"""Second factors: TOTP enrolment and checks, recovery codes, who must have one.

TOTP follows RFC 6238 as API.md fixes it (30 s steps, 6 digits, SHA-1) through ``pyotp``.
A code is accepted for the current step and one step either side (clock drift), and only
once: the step of the last accepted code is stored, and a code of that step or an earlier
one is refused, even by two requests racing each other (conditional UPDATE).

Recovery codes are 12 random characters, shown once, stored as SHA-256 hashes (they are
high-entropy secrets, like tokens), each spent by the first request that uses it.

Services ``flush()`` and never ``commit()``.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

import pyotp
from flask import current_app
from pyotp.utils import strings_equal

from passport.accounts.models import User
from passport.db import utcnow
from passport.extensions import db
from passport.mfa.models import Passkey, RecoveryCode, TotpSecret
from passport.security import secret_hash

ISSUER = "Passeport SPRO"
RECOVERY_CODES = 10
#: No 0/o, 1/l/i: codes are read from paper.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 12


class MfaError(Exception):
    """Base class of the errors below."""


class AlreadyEnrolled(MfaError):
    """The account already has a confirmed TOTP."""


class NotStarted(MfaError):
    """No TOTP enrolment to confirm."""


class WrongCode(MfaError):
    """The code is not valid (wrong, expired or already used)."""


# -- who needs what -------------------------------------------------------------------------


def mfa_required(user: User) -> bool:
    """Whether this account's role must log in with a second factor (``MFA_REQUIRED_ROLES``)."""
    return user.role in current_app.config.get("MFA_REQUIRED_ROLES", ())


def totp_of(user: User) -> TotpSecret | None:
    return db.session.execute(
        db.select(TotpSecret).where(TotpSecret.user_id == user.id)
    ).scalar_one_or_none()


def has_totp(user: User) -> bool:
    totp = totp_of(user)
    return totp is not None and totp.confirmed_at is not None


def passkeys_of(user: User) -> list[Passkey]:
    return list(
        db.session.execute(
            db.select(Passkey).where(Passkey.user_id == user.id).order_by(Passkey.id)
        ).scalars()
    )


def enrolled(user_id: Any) -> Any:
    """SQL: whether the account ``user_id`` (a value or a column, e.g. ``ApiToken.user_id``
    to fold the check into a token's query) has a confirmed TOTP or a passkey."""
    confirmed = db.select(TotpSecret.id).where(
        TotpSecret.user_id == user_id, TotpSecret.confirmed_at.is_not(None)
    )
    passkey = db.select(Passkey.id).where(Passkey.user_id == user_id)
    return confirmed.exists() | passkey.exists()


def has_mfa(user: User) -> bool:
    """Whether the account has a usable second factor (a confirmed TOTP or a passkey)."""
    return db.session.execute(db.select(enrolled(user.id))).scalar_one()


def mfa_status(users: list[User]) -> dict[int, bool]:
    """``{user_id: has_mfa}`` for many accounts in two queries (lists of advisors)."""
    ids = [u.id for u in users]
    if not ids:
        return {}
    with_totp = set(
        db.session.execute(
            db.select(TotpSecret.user_id).where(
                TotpSecret.user_id.in_(ids), TotpSecret.confirmed_at.is_not(None)
            )
        ).scalars()
    )
    with_key = set(
        db.session.execute(db.select(Passkey.user_id).where(Passkey.user_id.in_(ids))).scalars()
    )
    return {i: i in with_totp or i in with_key for i in ids}


# -- TOTP -----------------------------------------------------------------------------------


def otpauth_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def start_totp(user: User) -> tuple[str, str]:
    """A new TOTP secret to confirm, and its ``otpauth://`` URI.

    An unconfirmed secret is replaced; a confirmed one raises AlreadyEnrolled (remove it
    first).
    """
    totp = totp_of(user)
    if totp is not None and totp.confirmed_at is not None:
        raise AlreadyEnrolled
    secret = pyotp.random_base32()
    if totp is None:
        totp = TotpSecret(user_id=user.id, secret=secret)
        db.session.add(totp)
    else:
        totp.secret = secret
        totp.created_at = utcnow()
        totp.last_step = 0
    db.session.flush()
    return secret, otpauth_uri(user, secret)


def pending_totp(user: User) -> tuple[str, str]:
    """The unconfirmed secret being enrolled (a new one if none): the web enrolment page
    shows the same QR code on reload."""
    totp = totp_of(user)
    if totp is not None and totp.confirmed_at is None:
        return totp.secret, otpauth_uri(user, totp.secret)
    return start_totp(user)


def _accept_totp(totp: TotpSecret, code: str, now: datetime | None = None) -> bool:
    """Check ``code`` against the secret and spend its time step (replays refused)."""
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return False
    otp = pyotp.TOTP(totp.secret)
    current = otp.timecode(now or utcnow())
    for step in (current - 1, current, current + 1):
        if strings_equal(otp.generate_otp(step), code):
            if step <= totp.last_step:
                return False
            spent = db.session.execute(
                db.update(TotpSecret)
                .where(TotpSecret.id == totp.id, TotpSecret.last_step < step)
                .values(last_step=step)
                .execution_options(synchronize_session=False)
            )
            if spent.rowcount != 1:  # type: ignore[attr-defined]
                return False
            totp.last_step = step
            return True
    return False


def confirm_totp(user: User, code: str) -> list[str]:
    """Confirm the enrolment with a current code; returns new recovery codes (shown once)."""
    totp = totp_of(user)
    if totp is None:
        raise NotStarted
    if totp.confirmed_at is not None:
        raise AlreadyEnrolled
    if not _accept_totp(totp, code):
        raise WrongCode
    totp.confirmed_at = utcnow()
    db.session.flush()
    return new_recovery_codes(user)


def remove_totp(user: User) -> None:
    """Remove the TOTP (the caller checks it is allowed), and the recovery codes unless a
    passkey remains (they are then its way back)."""
    db.session.execute(db.delete(TotpSecret).where(TotpSecret.user_id == user.id))
    if not passkeys_of(user):
        db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()


# -- recovery codes -------------------------------------------------------------------------


def _normal_code(code: str) -> str:
    return "".join(c for c in code.lower() if c.isalnum())


def _code_hash(user: User, code: str) -> str:
    return secret_hash(f"{user.id}:{_normal_code(code)}")


def new_recovery_codes(user: User) -> list[str]:
    """Replace the account's recovery codes with new ones; the clear codes are returned once."""
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_code_hash(user, c)) for c in codes)
    db.session.flush()
    return codes


def recovery_codes_left(user: User) -> int:
    return db.session.execute(
        db.select(db.func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    ).scalar_one()


def _spend_recovery_code(user: User, code: str) -> bool:
    if len(_normal_code(code)) != _RECOVERY_LENGTH:
        return False
    spent = db.session.execute(
        db.update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _code_hash(user, code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return spent.rowcount == 1  # type: ignore[attr-defined]


# -- the second step of a login -------------------------------------------------------------


def check_code(user: User, code: str | None) -> bool:
    """A current TOTP code (once) or an unused recovery code (spent) of this account."""
    if not code or len(code) > 64:
        return False
    totp = totp_of(user)
    if totp is not None and totp.confirmed_at is not None and _accept_totp(totp, code):
        return True
    return _spend_recovery_code(user, code)
