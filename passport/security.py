"""Small, shared helpers around secrets: random tokens, their hashes, password hashing."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app


class Passwords:
    """Argon2id hashing with the application's parameters (lighter in tests)."""

    def __init__(self, **params) -> None:
        self.hasher = PasswordHasher(**params)
        # A real hash to verify against when the account does not exist, so that an
        # unknown email costs the same work as a wrong password.
        self.dummy = self.hasher.hash("not-a-real-password-but-a-timing-equaliser")


def _passwords() -> Passwords:
    return current_app.extensions["passport_passwords"]


def hash_password(password: str) -> str:
    return _passwords().hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant-work check; ``password_hash=None`` still spends one argon2 verification."""
    passwords = _passwords()
    try:
        ok = passwords.hasher.verify(password_hash or passwords.dummy, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return ok and password_hash is not None


def new_secret(nbytes: int = 32) -> str:
    """A URL-safe random secret of ``nbytes`` bytes (256 bits by default)."""
    return secrets.token_urlsafe(nbytes)


def secret_hash(secret: str) -> str:
    """SHA-256 of a high-entropy secret: what the database keeps of tokens and keys."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same_secret(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
