"""Account services: registration, authentication, personal tokens, password reset.

Services take plain values, return domain objects, ``flush()`` and never ``commit()``.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from passport import rows
from passport.accounts import sessions
from passport.accounts.models import STRUCTURE_ROLES, ApiToken, Role, User, UserSession
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
    """The one form in which an address is stored and looked up, whatever the channel
    (site, API, CLI, login, reset): NFKC (composed accents, full-width letters and digits
    folded to their usual form), no surrounding spaces, lower case."""
    return unicodedata.normalize("NFKC", email).strip().lower()


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
    if not ok or user is None or not user.is_active:
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
    found = find_token_with(secret)
    return found[0] if found is not None else None


@dataclass(frozen=True)
class TokenLookup:
    """The one statement that finds a token by its hash with its account, the account's
    structure and passport (and an extra value), and how to read its row back."""

    statement: Any
    #: token, user, structure, passport
    shapes: tuple[rows.Shape, rows.Shape, rows.Shape, rows.Shape]
    extra_at: int | None


def token_lookup(column: Any = None) -> TokenLookup:
    """The lookup for ``find_token_with``; ``column``, a SQL expression over ``ApiToken`` and
    ``User`` (e.g. a correlated EXISTS), is selected too. Build it once and keep it: the
    statement's cache key is then worked out once (issue 12: authentication is the largest
    part of a small read)."""
    token, user = ApiToken.__table__, User.__table__
    structure, passport = Structure.__table__, Passport.__table__
    selected, shapes = rows.wholes(
        (ApiToken, token), (User, user), (Structure, structure), (Passport, passport)
    )
    extra_at = None
    if column is not None:
        extra_at = len(selected)
        selected.append(column)
    statement = (
        db.select(*selected)
        .select_from(
            token.join(user, user.c.id == token.c.user_id)
            .outerjoin(structure, structure.c.id == user.c.structure_id)
            .outerjoin(passport, passport.c.holder_id == user.c.id)
        )
        .where(token.c.token_hash == bindparam("token_hash"))
    )
    return TokenLookup(statement, tuple(shapes), extra_at)  # type: ignore[arg-type]


_default_lookup = functools.cache(token_lookup)  # the lookup without an extra column


def find_token_with(secret: str, lookup: TokenLookup | None = None) -> tuple[ApiToken, Any] | None:
    """The live token with this secret and the value of the lookup's extra column, in one
    query, as ``(token, value)`` (the token's ``user``, the user's ``structure`` and
    ``own_passport`` loaded); or None (expired, revoked, unknown, or its account inactive)."""
    if lookup is None:
        lookup = _default_lookup()
    found = rows.first(lookup.statement, {"token_hash": secret_hash(secret)})
    if found is None:
        return None
    builder, row = found
    token_shape, user_shape, structure_shape, passport_shape = lookup.shapes
    structure = builder.build(structure_shape, row)
    passport = builder.build(passport_shape, row)
    user = builder.build(user_shape, row, {"structure": structure, "own_passport": passport})
    if passport is not None:
        set_committed_value(passport, "holder", user)
    token = builder.build(token_shape, row, {"user": user})
    value = row[lookup.extra_at] if lookup.extra_at is not None else None
    if token.revoked_at is not None or token.expires_at <= utcnow():
        return None
    if not user.is_active:
        return None
    return token, value


def revoke_token(token: ApiToken) -> None:
    token.revoked_at = utcnow()
    db.session.flush()


def change_password(user: User, new_password: str, keep: UserSession | None = None) -> None:
    """Set a new password; every open session (but ``keep``, the one in use when the user
    changes it from the account page) and every token of the user stop working."""
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    sessions.revoke_tokens(user)
    sessions.end_sessions(user, keep=keep)
    db.session.flush()


def _link_serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _password_stamp(user: User) -> str:
    return secret_hash(user.password_hash)[:16]


def _make_password_link_token(user: User, salt: str) -> str:
    return _link_serializer(salt).dumps({"u": user.id, "p": _password_stamp(user)})


def _user_for_password_link(token: str, salt: str, max_age: int) -> User | None:
    if len(token) > 512:
        return None
    try:
        data = _link_serializer(salt).loads(token, max_age=max_age)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"])
    if user is None or not user.is_active:
        return None
    if _password_stamp(user) != data.get("p"):
        return None
    return user


def make_reset_token(user: User) -> str:
    """A signed, expiring link token, bound to the current password hash.

    Once the password changes, the token no longer matches: it is single-use without any
    table to clean up.
    """
    return _make_password_link_token(user, "password-reset")


def user_for_reset_token(token: str) -> User | None:
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    return _user_for_password_link(token, "password-reset", max_age)


def make_invitation_token(user: User) -> str:
    """The link of an invitation mail: choose a first password. Same single-use design as a
    reset (bound to the placeholder password hash), longer-lived (``INVITATION_MAX_AGE``)."""
    return _make_password_link_token(user, "invitation")


def user_for_invitation_token(token: str) -> User | None:
    max_age = current_app.config["INVITATION_MAX_AGE"]
    return _user_for_password_link(token, "invitation", max_age)


def check_password(user: User, password: str) -> bool:
    return verify_password(user.password_hash, password)


def make_email_change_token(user: User, new_email: str) -> str:
    """The link mailed to the new address; bound to the current address (single use)."""
    return _link_serializer("email-change").dumps(
        {"u": user.id, "e": normalize_email(new_email), "o": secret_hash(user.email)[:16]}
    )


def apply_email_change(token: str) -> tuple[User, str] | None:
    """Change the address from a confirmation link: (user, old address), or None for a bad,
    used or expired link.

    Raises ``EmailTaken`` when another account took the address in the meantime.
    """
    if len(token) > 1024:
        return None
    max_age = current_app.config["EMAIL_CHANGE_MAX_AGE"]
    try:
        data = _link_serializer("email-change").loads(token, max_age=max_age)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"])
    new_email = data.get("e")
    if user is None or not user.is_active or not isinstance(new_email, str):
        return None
    if secret_hash(user.email)[:16] != data.get("o"):
        return None
    other = get_user_by_email(new_email)
    if other is not None and other.id != user.id:
        raise EmailTaken(new_email)
    old_email = user.email
    try:
        with db.session.begin_nested():
            user.email = new_email
            db.session.flush()
    except IntegrityError as exc:
        raise EmailTaken(new_email) from exc
    return user, old_email
