"""The true counts behind the indicators, aggregated by the database (SQLite and PostgreSQL).

Nothing here is published as is: ``services`` turns these counts into a protected answer.
Each function runs one grouped query (a small "cube"); the margins are summed from it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Float, and_, cast, func, true
from sqlalchemy.orm import aliased

from passport.extensions import db
from passport.indicators.periods import Question
from passport.passports.models import Reception, Referral, ReferralEvent
from passport.structures.models import Structure


@dataclass
class ReceptionCounts:
    """Receptions by (month, channel, situation, structure type, CEP operator, anonymous)."""

    cube: Counter = field(default_factory=Counter)
    needs: Counter = field(default_factory=Counter)  # by (need, month)


@dataclass
class ReferralCounts:
    """Referrals by (sender type, receiver type, sender is a CEP operator, status)."""

    cube: Counter = field(default_factory=Counter)
    delays_counted: dict[str, int] = field(default_factory=dict)
    medians: dict[str, float | None] = field(default_factory=dict)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _month_of(column):
    if _dialect() == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _structure_filters(structure, q: Question) -> list:
    out = []
    if q.department:
        out.append(structure.department == q.department)
    if q.structure_type:
        out.append(structure.type == q.structure_type)
    return out


def receptions(q: Question) -> ReceptionCounts:
    """Counts of first receptions in the question's months, at structures that match it."""
    counts = ReceptionCounts()
    month = _month_of(Reception.date)
    where = [Reception.date.between(q.start, q.end), *_structure_filters(Structure, q)]
    anonymous = Reception.passport_id.is_(None)
    dims = (month, Reception.channel, Reception.situation, Structure.type)
    rows = db.session.execute(
        db.select(*dims, Structure.is_cep_operator, anonymous, func.count())
        .select_from(Reception)
        .join(Structure, Structure.id == Reception.issuer_structure_id)
        .where(*where)
        .group_by(*dims, Structure.is_cep_operator, anonymous)
    )
    for m, channel, situation, type_, cep, anon, n in rows:
        counts.cube[(m, channel, situation, type_, bool(cep), bool(anon))] += n
    if _dialect() == "postgresql":
        need = func.jsonb_array_elements_text(Reception.needs).table_valued("value")
    else:
        need = func.json_each(Reception.needs).table_valued("value")
    rows = db.session.execute(
        db.select(need.c.value, month, func.count())
        .select_from(Reception)
        .join(Structure, Structure.id == Reception.issuer_structure_id)
        .join(need, true())
        .where(*where)
        .group_by(need.c.value, month)
    )
    for value, m, n in rows:
        counts.needs[(str(value), m)] += n
    return counts


def referrals(q: Question) -> ReferralCounts:
    """Counts of referrals sent in the question's months by structures that match it."""
    counts = ReferralCounts()
    sender, receiver = aliased(Structure), aliased(Structure)
    low, high = q.instants()
    where = [Referral.created_at >= low, Referral.created_at < high, *_structure_filters(sender, q)]
    rows = db.session.execute(
        db.select(sender.type, receiver.type, sender.is_cep_operator, Referral.status, func.count())
        .select_from(Referral)
        .join(sender, sender.id == Referral.issuer_structure_id)
        .join(receiver, receiver.id == Referral.to_structure_id)
        .where(*where)
        .group_by(sender.type, receiver.type, sender.is_cep_operator, Referral.status)
    )
    for from_type, to_type, cep, status, n in rows:
        counts.cube[(from_type, to_type, bool(cep), status)] += n
    for status in ("received", "appointment"):
        n, median = _median_days(where, sender, status)
        counts.delays_counted[status] = n
        counts.medians[status] = median
    return counts


def _median_days(where: list, sender, status: str) -> tuple[int, float | None]:
    """How many referrals reached ``status``, and the median of days from sending to it."""
    if _dialect() == "postgresql":
        days = func.extract("epoch", ReferralEvent.created_at - Referral.created_at) / 86400.0
    else:
        days = func.julianday(ReferralEvent.created_at) - func.julianday(Referral.created_at)
    delays = (
        db.select(cast(days, Float).label("days"))
        .select_from(Referral)
        .join(sender, sender.id == Referral.issuer_structure_id)
        .join(
            ReferralEvent,
            and_(ReferralEvent.referral_id == Referral.id, ReferralEvent.status == status),
        )
        .where(*where)
    ).subquery()
    n = db.session.scalar(db.select(func.count()).select_from(delays)) or 0
    if n == 0:
        return 0, None
    middle = db.session.execute(
        db.select(delays.c.days).order_by(delays.c.days).offset((n - 1) // 2).limit(2 - n % 2)
    ).scalars()
    values = [float(v) for v in middle]
    return n, sum(values) / len(values)
