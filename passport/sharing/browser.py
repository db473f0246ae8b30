"""Shares in the browser: grants kept in the session, private headers, the QR code.

Once an advisor has opened a link (audience, passcode and single use checked), the share's
id moves into the session with the advisor's and structure's ids; the token does not. Later
pages (``/espace/partages/<id>``) find the grant there and ask
``sharing.services.reopen_share`` for each request, so revoking or suspending a share takes
effect at once.

Before login, the token waits in the session (``PENDING_KEY``) so that it never appears in
a ``next=`` parameter, a log line or a ``Referer`` header.
"""

from __future__ import annotations

import time
from functools import wraps

from flask import make_response, session

PENDING_KEY = "share_pending"
GRANTS_KEY = "share_grants"
CREATED_KEY = "share_created"
MAX_GRANTS = 20


# ------------------------------------------------------------------ private pages


def private(response):
    """Headers of every page under a share: no ``Referer`` leaves it, nothing is cached."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def private_view(view):
    """Decorator form of ``private`` for a single view."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        return private(make_response(view(*args, **kwargs)))

    return wrapped


# ------------------------------------------------------------------ the pending token


def stash_token(token: str) -> None:
    session[PENDING_KEY] = token


def pending_token() -> str | None:
    token = session.get(PENDING_KEY)
    return token if isinstance(token, str) else None


def drop_pending() -> None:
    session.pop(PENDING_KEY, None)


# ------------------------------------------------------------------ grants


def _all_grants() -> list[dict]:
    grants = session.get(GRANTS_KEY)
    return [g for g in grants if isinstance(g, dict)] if isinstance(grants, list) else []


def remember_grant(share_id: int, user_id: int, structure_id: int) -> None:
    """Keep a just-opened share in the session; ``fresh`` until its first page is shown."""
    grants = [g for g in _all_grants() if g.get("share") != share_id]
    grants.append(
        {
            "share": share_id,
            "user": user_id,
            "structure": structure_id,
            "at": int(time.time()),
            "fresh": True,
        }
    )
    session[GRANTS_KEY] = grants[-MAX_GRANTS:]


def grants_for(user_id: int, structure_id: int | None) -> list[dict]:
    """The grants of this advisor for this structure, newest first."""
    mine = [
        g for g in _all_grants() if g.get("user") == user_id and g.get("structure") == structure_id
    ]
    return sorted(mine, key=lambda g: g.get("at", 0), reverse=True)


def grant_for(share_id: int, user_id: int, structure_id: int | None) -> dict | None:
    for grant in grants_for(user_id, structure_id):
        if grant.get("share") == share_id:
            return grant
    return None


def take_fresh(share_id: int) -> bool:
    """Whether the share was opened just now (its opening is already logged); once only."""
    grants = _all_grants()
    for grant in grants:
        if grant.get("share") == share_id and grant.get("fresh"):
            grant["fresh"] = False
            session[GRANTS_KEY] = grants
            return True
    return False
