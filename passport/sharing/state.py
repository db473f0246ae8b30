"""The state of a share link, read from its columns (no database work).

Both the policy (``can(..., "share.view", share)``) and the services (typed errors of
``open_share``) decide from it, so it lives below both.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from passport.db import utcnow
from passport.sharing.models import ShareLink

MAX_PASSCODE_ATTEMPTS = 10


class ShareState(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    USED_UP = "used_up"
    LOCKED = "locked"


def share_state(share: ShareLink, now: datetime | None = None) -> ShareState:
    """The state of a share; the most final state wins (revoked before expired...)."""
    now = now or utcnow()
    if share.revoked_at is not None:
        return ShareState.REVOKED
    if share.expires_at <= now:
        return ShareState.EXPIRED
    if share.used_up_at is not None:
        return ShareState.USED_UP
    if share.locked_at is not None or share.failed_attempts >= MAX_PASSCODE_ATTEMPTS:
        return ShareState.LOCKED
    if share.suspended_at is not None:
        return ShareState.SUSPENDED
    return ShareState.ACTIVE


def remaining_attempts(share: ShareLink) -> int:
    """How many passcode tries are left before the share locks."""
    return max(0, MAX_PASSCODE_ATTEMPTS - share.failed_attempts)
