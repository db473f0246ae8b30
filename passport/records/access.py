"""The holder's access log: one row per use (or refusal) of a share, or write by a structure.

``passport.sharing.services`` decides when a share was used or refused and calls
``log_access``; reading the log stays with sharing. The request writes ONE row and nothing
else: grouping the rows into visits, the holder's in-app notice and the grouped mail are the
worker's (``passport.notifications.visits``, job ``note_access``, queued after the commit).
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, insert

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
) -> int:
    """One row of the holder's access log (minimal data), its id; the visit and its notice
    follow in the worker. ``reason`` (one of DENIAL_REASONS) says why a ``denied`` one was
    refused."""
    return _insert(
        share.passport_id,
        share.id,
        structure.id if structure is not None else None,
        advisor.id if advisor is not None else None,
        action,
        reason,
    )


def log_structure_write(passport_id: int, *, structure: Structure, advisor: User | None) -> int:
    """An ``append`` row without a share: the structure wrote to a record it received (a
    referral's status). The holder sees it in their access log, and is told of it."""
    return _insert(
        passport_id, None, structure.id, advisor.id if advisor is not None else None, "append"
    )


def _insert(
    passport_id: int,
    share_id: int | None,
    structure_id: int | None,
    advisor_id: int | None,
    action: str,
    reason: str | None = None,
) -> int:
    """ONE statement, ``INSERT ... RETURNING id``, outside the ORM's unit of work: no object,
    no flush (a read through a share writes this row and its use counter, nothing else)."""
    if reason is not None and reason not in DENIAL_REASONS:
        raise ValueError(f"unknown denial reason {reason!r}")
    at = utcnow()
    entry_id = db.session.execute(
        _INSERT,
        {
            "passport_id": passport_id,
            "share_id": share_id,
            "structure_id": structure_id,
            "advisor_id": advisor_id,
            "action": action,
            "at": at,
        },
    ).scalar_one()
    # The job gets the row's time too: its lookup reads one partition (docs/SCALING.md).
    reason = reason if action == "denied" else None
    enqueue_after_commit("note_access", entry_id, reason, at.isoformat())
    return entry_id


_TABLE = cast(Table, AccessLogEntry.__table__)
_INSERT = insert(_TABLE).returning(_TABLE.c.id)
