"""Failed logins: one budget per account for every way in, and device cookies (OWASP).

Without protection, ten wrong passwords a minute from anywhere would lock the owner out of
their own account. Following OWASP's "slow brute-force protection with device cookies":

- a successful login (password, then the second factor when there is one) gives the browser
  a signed **device cookie** for that account;
- a failure from a browser without a valid device cookie for the account counts against the
  account's budget of **untrusted** failures (``ACCOUNT_FAILURES``), shared by the web login,
  its second step and ``POST /api/v1/auth/token``; once spent, untrusted attempts answer 429;
- a failure from a trusted browser counts against that device's own budget
  (``DEVICE_FAILURES``), so the owner's usual browser keeps trying while an attacker
  elsewhere has spent the account's budget.

Counters live in the rate limiter's storage (Redis in production), keyed by a keyed hash of
the email, never the email itself.
"""

from __future__ import annotations

import hmac
from hashlib import sha256

from flask import after_this_request, current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from limits import parse
from werkzeug.exceptions import TooManyRequests

from passport.extensions import limiter
from passport.security import new_secret

#: API.md: more than 10 failed logins a minute for one email answers 429.
ACCOUNT_FAILURES = parse("10/minute")
#: Each trusted device has a budget of its own.
DEVICE_FAILURES = parse("10/minute")
COOKIE = "passport_devices"
COOKIE_MAX_AGE = 365 * 24 * 3600
#: Accounts remembered by one browser (a shared computer at a desk has several).
MAX_ACCOUNTS = 8


def _account_key(email: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, b"login:" + email.encode(), sha256).hexdigest()[:32]


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="device-cookie")


def _devices() -> dict[str, str]:
    """``{account key: device nonce}`` from this browser's signed device cookie."""
    raw = request.cookies.get(COOKIE)
    if not raw or len(raw) > 4000:
        return {}
    try:
        data = _serializer().loads(raw)
    except BadSignature:
        return {}
    if not isinstance(data, list):
        return {}
    return {
        k: n
        for k, n in (e for e in data if isinstance(e, list) and len(e) == 2)
        if isinstance(k, str) and isinstance(n, str)
    }


def device_of(email: str) -> str | None:
    """The nonce of this browser's device cookie for the account, if it has a valid one."""
    return _devices().get(_account_key(email))


def _bucket(email: str, device: str | None):
    if device:
        return DEVICE_FAILURES, ("login-device", _account_key(email), device)
    return ACCOUNT_FAILURES, ("login-account", _account_key(email))


def check(email: str, device: str | None = None) -> None:
    """Raise 429 (with ``Retry-After``) when the budget of this attempt is spent."""
    if not limiter.enabled:
        return
    item, keys = _bucket(email, device)
    strategy = limiter.limiter
    if not strategy.test(item, *keys):
        stats = strategy.get_window_stats(item, *keys)
        import time

        raise TooManyRequests(retry_after=max(1, int(stats.reset_time - time.time()) + 1))


def failed(email: str, device: str | None = None) -> None:
    """Count one failed attempt (wrong password or wrong second-factor code)."""
    if not limiter.enabled:
        return
    item, keys = _bucket(email, device)
    limiter.limiter.hit(item, *keys)


def trust_this_browser(email: str) -> None:
    """After a successful login: give (or keep) this browser's device cookie for the account."""
    devices = _devices()
    key = _account_key(email)
    devices[key] = devices.get(key) or new_secret(16)
    entries = [[k, n] for k, n in devices.items() if k != key][-(MAX_ACCOUNTS - 1) :]
    entries.append([key, devices[key]])
    value = _serializer().dumps(entries)

    @after_this_request
    def _set(response):
        response.set_cookie(
            COOKIE,
            value,
            max_age=COOKIE_MAX_AGE,
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
            httponly=True,
            samesite="Lax",
            path="/connexion",
        )
        return response
