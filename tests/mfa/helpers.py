"""Driving the TOTP steps as a person with an authenticator app would."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pyotp

from tests.factories import PASSWORD
from tests.web import submit

SECRET_INPUT = re.compile(r'id="totp-secret"[^>]*value="([A-Z2-7]+)"')
CODE = re.compile(r"<code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code>")

#: The start of a 30 s step a little after the real time: the clock only moves forward in
#: tests (signed session cookies from "the future" are refused, rightly).
T0 = datetime.fromtimestamp((int(time.time()) // 30 + 2) * 30, UTC)


def at(steps: int) -> datetime:
    return T0 + timedelta(seconds=30 * steps)


def code_at(secret: str, steps: int) -> str:
    return pyotp.TOTP(secret).at(at(steps))


def secret_on(page: str) -> str:
    match = SECRET_INPUT.search(page)
    assert match, "no TOTP secret on the page"
    return match.group(1)


def recovery_codes_on(page: str) -> list[str]:
    return CODE.findall(page)


def password_step(client, email: str, password: str = PASSWORD, **extra):
    return submit(client, "/connexion", {"email": email, "password": password, **extra})
