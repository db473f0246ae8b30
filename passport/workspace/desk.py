"""What the desk (the advisor's home, ``/espace``) shows: what waits for the structure.

Each function is one query (or a fixed few), whatever the number of shares, referrals or
receptions, so that the desk keeps a constant number of queries.

The search by name runs in Python, not in SQL: it must fold accents and case the same way
on SQLite and PostgreSQL ("lea" finds "Léa"), and it must only ever match the names that the
desk would show anyway (shares that give the structure the profile to read). It reads the
structure's active shares only, at most ``SEARCH_SCAN`` of them (the newest), as light
``(id, name, sections, permissions...)`` rows, then loads the one page of matches.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import case, func
from sqlalchemy.orm import joinedload

from passport.accounts.models import User
from passport.db import LOCAL_TZ, today_local, utcnow
from passport.extensions import db
from passport.pagination import Page, clamp_page, paginate
from passport.passports.models import Passport, Reception, Referral, ReferralStatus
from passport.sharing import services as sharing
from passport.sharing.models import ShareLink
from passport.structures.models import Structure

#: The search reads at most this many of the structure's active shares (newest first).
SEARCH_SCAN = 2000


def active_conditions(now: datetime) -> tuple:
    """SQL conditions of a share that still opens (not revoked, expired, used up, locked)."""
    return (
        ShareLink.revoked_at.is_(None),
        ShareLink.expires_at > now,
        ShareLink.used_up_at.is_(None),
        ShareLink.suspended_at.is_(None),
        ShareLink.locked_at.is_(None),
        ShareLink.failed_attempts < sharing.MAX_PASSCODE_ATTEMPTS,
    )


def with_holder(query):
    """Load each share's passport and holder with it (no query per row)."""
    return query.options(joinedload(ShareLink.passport).joinedload(Passport.holder))


def today_bounds() -> tuple[datetime, datetime]:
    """Today in France as two UTC instants: local midnight and the next one."""
    start = datetime.combine(today_local(), time.min, tzinfo=LOCAL_TZ)
    end = datetime.combine(today_local() + timedelta(days=1), time.min, tzinfo=LOCAL_TZ)
    return start.astimezone(UTC), end.astimezone(UTC)


def receptions_today(structure: Structure) -> tuple[int, int]:
    """``(total, anonymous)``: first receptions the structure recorded today (French day)."""
    start, end = today_bounds()
    row = db.session.execute(
        db.select(
            func.count(Reception.id),
            func.coalesce(func.sum(case((Reception.passport_id.is_(None), 1), else_=0)), 0),
        ).where(
            Reception.issuer_structure_id == structure.id,
            Reception.created_at >= start,
            Reception.created_at < end,
        )
    ).one()
    return int(row[0]), int(row[1])


def new_referral_count(structure_id: int) -> int:
    """Referrals addressed to the structure that nobody there has taken up yet (``sent``)."""
    return db.session.execute(
        db.select(func.count(Referral.id)).where(
            Referral.to_structure_id == structure_id,
            Referral.status == ReferralStatus.SENT.value,
            Referral.passport_id.is_not(None),
        )
    ).scalar_one()


def recent_shares(structure: Structure, page: int, per_page: int) -> Page:
    """Active shares addressed to the structure, newest first, with their holders."""
    query = with_holder(
        db.select(ShareLink).where(
            ShareLink.structure_id == structure.id, *active_conditions(utcnow())
        )
    ).order_by(ShareLink.created_at.desc(), ShareLink.id.desc())
    return paginate(query, page, per_page)


def fold(text: str) -> str:
    """Lower case without accents: "Léa  MARTIN" -> "lea martin"."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def names_shown(sections, permissions, passcode_hash, single_use) -> bool:
    """Whether the desk shows the holder's name for such a share (see ``views.shown_name``):
    the share gives the profile to read, and opens from the list (no passcode, reusable)."""
    return (
        "profile" in (sections or [])
        and "read" in (permissions or [])
        and passcode_hash is None
        and not single_use
    )


def search_shares(structure: Structure, query: str, page: int, per_page: int) -> Page:
    """Active shares addressed to the structure whose holder's name matches every word of
    ``query`` (accents and case folded), among those whose name the desk may show."""
    page, per_page = clamp_page(page, per_page)
    words = fold(query).split()
    rows = db.session.execute(
        db.select(
            ShareLink.id,
            ShareLink.sections,
            ShareLink.permissions,
            ShareLink.passcode_hash,
            ShareLink.single_use,
            User.full_name,
        )
        .join(Passport, Passport.id == ShareLink.passport_id)
        .join(User, User.id == Passport.holder_id)
        .where(ShareLink.structure_id == structure.id, *active_conditions(utcnow()))
        .order_by(ShareLink.created_at.desc(), ShareLink.id.desc())
        .limit(SEARCH_SCAN)
    ).all()
    matches = [
        row.id
        for row in rows
        if names_shown(row.sections, row.permissions, row.passcode_hash, row.single_use)
        and all(word in fold(row.full_name) for word in words)
    ]
    wanted = matches[(page - 1) * per_page : page * per_page]
    items: list[ShareLink] = []
    if wanted:
        found = {
            s.id: s
            for s in db.session.execute(
                with_holder(db.select(ShareLink).where(ShareLink.id.in_(wanted)))
            )
            .scalars()
            .unique()
        }
        items = [found[i] for i in wanted if i in found]
    return Page(items=items, page=page, per_page=per_page, total=len(matches))
