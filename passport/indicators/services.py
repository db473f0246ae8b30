"""Aggregates for coordinators: the barometer of needs and the quality of partnerships.

Only counts leave this module, and no count between 1 and ``K_ANONYMITY - 1`` is shown
(``None`` instead): a small number could point at a person. Anonymous receptions and the
anonymised records of erased passports count like the others.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from statistics import median

from sqlalchemy import func
from sqlalchemy.orm import aliased, selectinload

from passport.db import LOCAL_TZ
from passport.extensions import db
from passport.passports.models import Reception, Referral, ReferralStatus
from passport.structures.models import Structure

K_ANONYMITY = 5


def shown(count: int) -> int | None:
    """A count as published: 0 and counts of at least K_ANONYMITY, else None."""
    return count if count == 0 or count >= K_ANONYMITY else None


def _shown_map(counter: Counter, keys) -> dict[str, int | None]:
    return {key: shown(counter.get(key, 0)) for key in keys}


def _day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The instants that open ``start`` and close ``end`` in French time."""
    return (
        datetime.combine(start, time.min, LOCAL_TZ),
        datetime.combine(end + timedelta(days=1), time.min, LOCAL_TZ),
    )


def barometer(start: date, end: date) -> dict:
    """First receptions between two dates (inclusive): by need, channel, situation, type."""
    from passport.labels import CHANNELS, NEEDS, SITUATIONS
    from passport.structures.models import STRUCTURE_TYPES

    in_period = Reception.date.between(start, end)
    total = db.session.scalar(db.select(func.count(Reception.id)).where(in_period)) or 0
    anonymous = (
        db.session.scalar(
            db.select(func.count(Reception.id)).where(in_period, Reception.passport_id.is_(None))
        )
        or 0
    )
    by_channel = Counter(
        dict(
            db.session.execute(
                db.select(Reception.channel, func.count())
                .where(in_period)
                .group_by(Reception.channel)
            ).all()
        )
    )
    by_situation = Counter(
        dict(
            db.session.execute(
                db.select(Reception.situation, func.count())
                .where(in_period, Reception.situation.is_not(None))
                .group_by(Reception.situation)
            ).all()
        )
    )
    by_type = Counter(
        dict(
            db.session.execute(
                db.select(Structure.type, func.count())
                .select_from(Reception)
                .join(Structure, Structure.id == Reception.issuer_structure_id)
                .where(in_period)
                .group_by(Structure.type)
            ).all()
        )
    )
    # Needs are a JSON list per reception: counted here, the same on SQLite and PostgreSQL.
    by_need: Counter = Counter()
    for needs in db.session.execute(db.select(Reception.needs).where(in_period)).scalars():
        by_need.update(set(needs or []))
    return {
        "total": shown(total),
        "anonymous": shown(anonymous),
        "by_need": _shown_map(by_need, NEEDS),
        "by_channel": _shown_map(by_channel, CHANNELS),
        "by_situation": _shown_map(by_situation, SITUATIONS),
        "by_structure_type": _shown_map(by_type, STRUCTURE_TYPES),
    }


def partnerships(start: date, end: date) -> dict:
    """Referrals sent between two dates: by status, delays, and routes between types."""
    low, high = _day_bounds(start, end)
    in_period = Referral.created_at >= low, Referral.created_at < high
    referrals = (
        db.session.execute(
            db.select(Referral).where(*in_period).options(selectinload(Referral.events))
        )
        .scalars()
        .all()
    )
    by_status = Counter(r.status for r in referrals)
    days_to_received = []
    days_to_appointment = []
    for r in referrals:
        for event in r.events:
            delay = (event.created_at - r.created_at).total_seconds() / 86400
            if event.status == ReferralStatus.RECEIVED:
                days_to_received.append(delay)
            elif event.status == ReferralStatus.APPOINTMENT:
                days_to_appointment.append(delay)
    sender, receiver = aliased(Structure), aliased(Structure)
    routes = db.session.execute(
        db.select(sender.type, receiver.type, func.count(Referral.id))
        .select_from(Referral)
        .join(sender, sender.id == Referral.issuer_structure_id)
        .join(receiver, receiver.id == Referral.to_structure_id)
        .where(*in_period)
        .group_by(sender.type, receiver.type)
        .order_by(func.count(Referral.id).desc())
    ).all()
    return {
        "total": shown(len(referrals)),
        "by_status": _shown_map(by_status, [s.value for s in ReferralStatus]),
        "median_days_to_received": _median(days_to_received),
        "median_days_to_appointment": _median(days_to_appointment),
        "routes": [
            {"from_type": a, "to_type": b, "count": n} for a, b, n in routes if n >= K_ANONYMITY
        ],
    }


def _median(values: list[float]) -> float | None:
    """A median over at least K_ANONYMITY values, in days, to the tenth."""
    if len(values) < K_ANONYMITY:
        return None
    return round(median(values), 1)
