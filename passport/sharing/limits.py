"""One rate limit on share creation, shared by the site and the API.

Each passcode of a share costs an argon2 hash: a holder (or a stolen token) must not be
able to make the server hash without bound. The budget is per holder account, the same
for ``POST /partages/nouveau`` and ``POST /api/v1/me/shares``; an unauthenticated request
is counted by client address (it is refused anyway).
"""

from __future__ import annotations

from flask import request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from passport.extensions import limiter

SHARE_CREATION_RATE = "10 per minute;60 per day"
#: "Envoyer à la structure": a holder mails links to structures this often at most.
SHARE_MAIL_RATE = "5 per hour;20 per day"


def _holder_key() -> str:
    if request.blueprint == "api":
        from passport.api.auth import current_caller
        from passport.errors import Problem

        try:
            user = current_caller().user
        except Problem:  # no or bad token: the view answers 401
            user = None
    else:
        user = current_user if current_user.is_authenticated else None
    return f"user:{user.id}" if user is not None else f"addr:{get_remote_address()}"


share_creation_limit = limiter.shared_limit(
    SHARE_CREATION_RATE, scope="share-creation", key_func=_holder_key, methods=["POST"]
)
