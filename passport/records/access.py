"""The holder's access log: one row per use (or refusal) of a share, or write by a structure.

``passport.sharing.services`` decides when a share was used or refused and calls
``log_access``; reading the log stays with sharing. The request writes ONE row and nothing
else: grouping the rows into visits, the holder's in-app notice and the grouped mail are the
worker's (``passport.notifications.visits``, job ``note_access``, queued after the commit).
"""

from __future__ import annotations

from passport.accounts.models import User
from passport.db import utcnow
from passport.extensions import db
from passport.notifications.jobs import enqueue_after_commit
from passport.sharing.models import AccessLogEntry, ShareLink
from passport.structures.models import Structure

#: Why an attempt was refused (the holder is told): the codes ``log_access`` accepts.
DENIAL_REASONS = (
    "passcode_missing",
    "passcode_wrong",
    "locked",
    "expired",
    "revoked",
    "suspended",
    "used_up",
    "audience",
    "not_permitted",
)


def log_access(
    share: ShareLink,
    *,
    structure: Structure | None,
    advisor: User | None,
    action: str,
    reason: str | None = None,
) -> AccessLogEntry:
    """One row of the holder's access log (minimal data); the visit and its notice follow
    in the worker. ``reason`` (one of DENIAL_REASONS) says why a ``denied`` one was refused."""
    entry = AccessLogEntry(
        passport_id=share.passport_id,
        share_id=share.id,
        structure_id=structure.id if structure is not None else None,
        advisor_id=advisor.id if advisor is not None else None,
        action=action,
        at=utcnow(),
    )
    db.session.add(entry)
    db.session.flush()  # one INSERT; the id goes to the job
    _note(entry, reason)
    return entry


def log_structure_write(
    passport_id: int, *, structure: Structure, advisor: User | None
) -> AccessLogEntry:
    """An ``append`` row without a share: the structure wrote to a record it received (a
    referral's status). The holder sees it in their access log, and is told of it."""
    entry = AccessLogEntry(
        passport_id=passport_id,
        share_id=None,
        structure_id=structure.id,
        advisor_id=advisor.id if advisor is not None else None,
        action="append",
        at=utcnow(),
    )
    db.session.add(entry)
    db.session.flush()
    _note(entry, None)
    return entry


def _note(entry: AccessLogEntry, reason: str | None) -> None:
    if reason is not None and reason not in DENIAL_REASONS:
        raise ValueError(f"unknown denial reason {reason!r}")
    enqueue_after_commit("note_access", entry.id, reason if entry.action == "denied" else None)
