"""Account services: registration, authentication, personal tokens, password reset.

Services take plain values, return domain objects, ``flush()`` and never ``commit()``.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from passport.accounts.models import STRUCTURE_ROLES, ApiToken, Role, User, session_id
from passport.db import utcnow
from passport.extensions import db
from passport.passports.models import Passport
from passport.security import hash_password, new_secret, secret_hash, verify_password
from passport.structures.models import Structure

MIN_PASSWORD_LENGTH = 12


class AccountError(Exception):
    """Base class of the errors below."""


class EmailTaken(AccountError):
    pass


class InvalidRole(AccountError):
    pass


def normalize_email(email: str) -> str:
    return email.strip().lower()


def get_user_by_email(email: str) -> User | None:
    return db.session.execute(
        db.select(User).where(User.email == normalize_email(email))
    ).scalar_one_or_none()


def _add_user(user: User) -> User:
    try:
        with db.session.begin_nested():
            db.session.add(user)
            db.session.flush()
    except IntegrityError as exc:  # a parallel request took the email first
        raise EmailTaken(user.email) from exc
    return user


def register_individual(email: str, password: str, full_name: str) -> User:
    """Create a holder's account and their (empty) passport."""
    email = normalize_email(email)
    if get_user_by_email(email) is not None:
        raise EmailTaken(email)
    user = _add_user(
        User(
            email=email,
            password_hash=hash_password(password),
            full_name=full_name.strip(),
            role=Role.INDIVIDUAL.value,
        )
    )
    db.session.add(Passport(holder=user))
    db.session.flush()
    return user


def create_user(
    email: str, password: str, full_name: str, role: str, structure: Structure | None = None
) -> User:
    """Create any kind of account (CLI, admin). Staff of a structure need their structure."""
    if role not in {r.value for r in Role}:
        raise InvalidRole(role)
    if role in STRUCTURE_ROLES and structure is None:
        raise InvalidRole(f"{role} needs a structure")
    if role == Role.INDIVIDUAL:
        return register_individual(email, password, full_name)
    email = normalize_email(email)
    if get_user_by_email(email) is not None:
        raise EmailTaken(email)
    return _add_user(
        User(
            email=email,
            password_hash=hash_password(password),
            full_name=full_name.strip(),
            role=role,
            structure=structure,
        )
    )


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (same work for an unknown email)."""
    user = get_user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


def issue_token(user: User) -> tuple[str, ApiToken]:
    """A new personal bearer token; the clear value is returned once and never stored."""
    secret = "pt_" + new_secret()
    lifetime = timedelta(hours=current_app.config["API_TOKEN_LIFETIME_HOURS"])
    token = ApiToken(user=user, token_hash=secret_hash(secret), expires_at=utcnow() + lifetime)
    db.session.add(token)
    db.session.flush()
    return secret, token


def find_token(secret: str) -> ApiToken | None:
    """The live token with this secret, or None (expired, revoked or unknown)."""
    token = db.session.execute(
        db.select(ApiToken)
        .where(ApiToken.token_hash == secret_hash(secret))
        .options(joinedload(ApiToken.user).joinedload(User.structure))
    ).scalar_one_or_none()  # one query: the token, its user and the user's structure
    if token is None or token.revoked_at is not None or token.expires_at <= utcnow():
        return None
    if not token.user.active:
        return None
    return token


def revoke_token(token: ApiToken) -> None:
    token.revoked_at = utcnow()
    db.session.flush()


def change_password(user: User, new_password: str) -> None:
    """Set a new password; every open session and token of the user stops working."""
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    db.session.execute(
        db.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    db.session.flush()


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def make_reset_token(user: User) -> str:
    """A signed, expiring link token, bound to the current password hash.

    Once the password changes, the token no longer matches: it is single-use without any
    table to clean up.
    """
    return _reset_serializer().dumps({"u": user.id, "p": secret_hash(user.password_hash)[:16]})


def user_for_reset_token(token: str) -> User | None:
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    try:
        data = _reset_serializer().loads(token, max_age=max_age)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"])
    if user is None or not user.active:
        return None
    if secret_hash(user.password_hash)[:16] != data.get("p"):
        return None
    return user


def load_user(value: str) -> User | None:
    user_id, _, stamp = value.partition(".")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or session_id(user) != value:
        return None
    return user
