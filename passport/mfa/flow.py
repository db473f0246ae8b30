"""The second step of a web login: a pending login in the session, not a logged-in user.

After a right password, ``begin`` either returns None (no second factor needed: the caller
logs the user in) or stores a pending login and returns the URL of the next step: the code
page (account with a second factor) or the enrolment page (a role that must have one and has
none yet). Until that step succeeds the browser is not logged in, so it can do nothing else.

The pending login is bound to the password of the moment (a password change ends it), lasts
ten minutes and allows five wrong codes.
"""

from __future__ import annotations

import time

from flask import session

from passport.accounts.models import User
from passport.extensions import db
from passport.mfa import services as mfa
from passport.urls import safe_next

PENDING = "mfa_pending"
MAX_AGE = 600
MAX_TRIES = 5


def _fingerprint(user: User) -> str:
    """Changes with the password: a pending login dies if the password changes meanwhile."""
    return f"{user.id}.{int(user.password_changed_at.timestamp())}"


def begin(user: User, *, remember: bool, next_url: str | None) -> str | None:
    """After the password: None, or the URL of the second step (pending login stored)."""
    from flask import url_for

    enrolled = mfa.has_mfa(user)
    if not enrolled and not mfa.mfa_required(user):
        return None
    session[PENDING] = {
        "uid": user.id,
        "sid": _fingerprint(user),
        "remember": bool(remember),
        "next": safe_next(next_url) or "",
        "at": int(time.time()),
        "tries": 0,
        "enrol": not enrolled,
    }
    return url_for("mfa.enrol_at_login") if not enrolled else url_for("mfa.verify")


def pending() -> tuple[User, dict] | None:
    """The user of the pending login and its state, or None (none, expired, password changed)."""
    state = session.get(PENDING)
    if not isinstance(state, dict) or not isinstance(state.get("uid"), int):
        return None
    if int(time.time()) - int(state.get("at", 0)) > MAX_AGE or state.get("tries", 0) >= MAX_TRIES:
        session.pop(PENDING, None)
        return None
    user = db.session.get(User, state["uid"])
    if user is None or not user.active or _fingerprint(user) != state.get("sid"):
        session.pop(PENDING, None)
        return None
    return user, state


def count_wrong_code() -> int:
    """One more wrong code; the number of tries left (0: the pending login is over)."""
    state = dict(session.get(PENDING) or {})
    state["tries"] = int(state.get("tries", 0)) + 1
    left = MAX_TRIES - state["tries"]
    if left <= 0:
        session.pop(PENDING, None)
    else:
        session[PENDING] = state
    return max(left, 0)


def finish() -> tuple[bool, str]:
    """Drop the pending login; its ``remember`` choice and ``next`` target."""
    state = session.pop(PENDING, None) or {}
    return bool(state.get("remember")), state.get("next") or ""
