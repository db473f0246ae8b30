"""The holder's access log: one row per use (or refusal) of a share, and its notification.

``passport.sharing.services`` decides when a share was used or refused and calls
``log_access``; reading the log and the notifications stays with sharing.
"""

from __future__ import annotations

from passport.accounts.models import User
from passport.db import utcnow
from passport.extensions import db
from passport.sharing.models import AccessLogEntry, Notification, ShareLink
from passport.structures.models import Structure


def log_access(
    share: ShareLink,
    *,
    structure: Structure | None,
    advisor: User | None,
    action: str,
) -> AccessLogEntry:
    """One row of the holder's access log (minimal data) and a notification for them."""
    entry = AccessLogEntry(
        passport_id=share.passport_id,
        share_id=share.id,
        structure_id=structure.id if structure is not None else None,
        advisor_id=advisor.id if advisor is not None else None,
        action=action,
        at=utcnow(),
    )
    db.session.add(entry)
    db.session.add(
        Notification(user_id=share.passport.holder_id, access=entry, kind=f"share_{action}")
    )
    db.session.flush()  # one flush: the row and its notification
    return entry


def log_structure_write(
    passport_id: int, *, structure: Structure, advisor: User | None
) -> AccessLogEntry:
    """An ``append`` row without a share: the structure wrote to a record it received (a
    referral's status). The holder sees it in their access log."""
    entry = AccessLogEntry(
        passport_id=passport_id,
        share_id=None,
        structure_id=structure.id,
        advisor_id=advisor.id if advisor is not None else None,
        action="append",
        at=utcnow(),
    )
    db.session.add(entry)
    return entry
