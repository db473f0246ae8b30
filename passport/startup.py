"""Checks made before a production instance starts: strong secrets, shared rate limits.

``check_production(config)`` runs in ``create_app`` when ``PASSPORT_ENV=production``;
``check_shared_limits`` also runs in gunicorn's ``on_starting`` hook (``gunicorn.conf.py``),
which knows the number of workers. Each refusal is a ``StartupError`` whose message says
what to do, with the command that generates a good value.
"""

from __future__ import annotations

import base64
import math
import os
import string

#: 32 random bytes' worth (256 bits), what ``secrets.token_urlsafe(32)`` gives.
MIN_SECRET_BITS = 256
MIN_DISTINCT_CHARACTERS = 10
MIN_DISTINCT_KEY_BYTES = 16  # 32 random bytes nearly always hold 25 or more distinct values

# Shell commands that print a new key.
FLASK_KEY_COMMAND = 'python3 -c "import secrets; print(secrets.token_urlsafe(32))"'
ENCRYPTION_KEY_COMMAND = (
    "python3 -c \"import base64, os; print('k1:' + "
    "base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip('='))\""
)

_HEX = frozenset(string.hexdigits)
_BASE64 = frozenset(string.ascii_letters + string.digits + "-_+/=")


class StartupError(RuntimeError):
    """The configuration is not safe to run in production; the message says why and how."""


def secret_bits(secret: str) -> float:
    """A generous estimate of the randomness in ``secret``: its length times the bits per
    character of the smallest usual alphabet it is written in (hex, base64, printable)."""
    chars = set(secret)
    if len(chars) < MIN_DISTINCT_CHARACTERS:
        return 0.0
    if chars <= _HEX:
        alphabet = 16
    elif chars <= _BASE64:
        alphabet = 64
    else:
        alphabet = 95
    return len(secret) * math.log2(alphabet)


def check_secret_key(secret: str | None) -> None:
    if not secret:
        raise StartupError(
            f"SECRET_KEY must be set in production. Generate one with: {FLASK_KEY_COMMAND}"
        )
    if secret_bits(secret) < MIN_SECRET_BITS:
        raise StartupError(
            "SECRET_KEY is too weak for production: it needs at least 32 random bytes' worth "
            f"(e.g. 43 random base64 characters). Generate one with: {FLASK_KEY_COMMAND}"
        )


def check_encryption_keys(setting: str | None) -> None:
    """Each ``kid:base64key`` must hold 32 bytes that look random (not ``AAAA…``)."""
    if not setting:
        return  # build_keyring refuses a production without keys
    for part in filter(None, (p.strip() for p in setting.split(","))):
        kid, _sep, b64 = part.partition(":")
        try:
            key = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4))
        except ValueError:
            key = b""
        if len(key) != 32 or len(set(key)) < MIN_DISTINCT_KEY_BYTES:
            raise StartupError(
                f"ENCRYPTION_KEYS: key {kid!r} is not 32 random bytes in base64. Generate a "
                f"key with: {ENCRYPTION_KEY_COMMAND}"
            )


def check_shared_limits(workers: int, storage_uri: str | None) -> None:
    """Several worker processes must share their rate-limit counters (Redis): with the
    in-memory storage each worker counts alone, and every limit (login attempts, share
    passcodes, verifications) is multiplied by the number of workers."""
    if workers > 1 and (not storage_uri or storage_uri.startswith("memory://")):
        raise StartupError(
            f"{workers} workers without REDIS_URL: each worker would keep its own rate-limit "
            "counters, multiplying every limit. Set REDIS_URL (e.g. redis://127.0.0.1:6379/0) "
            "or run a single worker."
        )


def workers_from_environment(environ=os.environ) -> int:
    """The worker count that gunicorn takes from ``WEB_CONCURRENCY`` (1 when unset)."""
    try:
        return max(1, int(environ.get("WEB_CONCURRENCY", "1")))
    except ValueError:
        return 1


def check_production(config) -> None:
    """Every production check that the configuration alone can answer."""
    check_secret_key(config.get("SECRET_KEY"))
    check_encryption_keys(config.get("ENCRYPTION_KEYS"))
    check_shared_limits(workers_from_environment(), config.get("RATELIMIT_STORAGE_URI"))
