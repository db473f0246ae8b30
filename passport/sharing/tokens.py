"""Share-link tokens: 256 random bits, signed with the app's secret key, kept as a hash.

A token reads ``<secret>.<signature>``: ``secret`` is 32 random bytes (URL-safe base64),
``signature`` an HMAC-SHA256 of it (itsdangerous ``Signer``, salt specific to share links).
A tampered or invented token fails the signature check before any database work; the
lookup key is the SHA-256 of the whole token and the lookup result is compared again in
constant time. (So that its holder can show the link again, the share also keeps the token
encrypted at rest, ``ShareLink.sealed_token``; nothing ever looks a share up by it.)
``SECRET_KEY_FALLBACKS`` (Flask 3.1) keeps old links valid across a key rotation.
"""

from __future__ import annotations

import hashlib
import re

from flask import current_app
from itsdangerous import BadSignature, Signer

from passport.security import new_secret, same_secret, secret_hash

SALT = "passport.sharing.link.v1"
#: Longer tokens are refused before any cryptography (a real one is 87 characters).
MAX_TOKEN_LENGTH = 200
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,100}\.[A-Za-z0-9_-]{20,100}$")


def _signer() -> Signer:
    keys = [*(current_app.config.get("SECRET_KEY_FALLBACKS") or []), current_app.secret_key]
    return Signer(keys, salt=SALT, key_derivation="hmac", digest_method=hashlib.sha256)


def new_token() -> tuple[str, str]:
    """A fresh signed token and the hash the database keeps: ``(token, token_hash)``."""
    token = _signer().sign(new_secret(32)).decode()
    return token, secret_hash(token)


def is_authentic(token: str) -> bool:
    """Whether ``token`` has the shape of a share token and a valid signature (no DB)."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or not _TOKEN_SHAPE.match(token):
        return False
    try:
        _signer().unsign(token)
    except BadSignature:
        return False
    return True


def token_hash(token: str) -> str:
    return secret_hash(token)


def matches(token: str, stored_hash: str) -> bool:
    """Constant-time comparison of a token with a stored hash."""
    return same_secret(secret_hash(token), stored_hash)
