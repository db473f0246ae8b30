"""The same counts as ``queries``, computed from the records themselves (the reference).

A year of a region is a million receptions: too slow to answer from (docs/BENCHMARKS.md),
but this is what the monthly counts must equal. ``flask indicators check`` and the tests
compare the two; ``aggregates.rebuild`` does not use this module, so the comparison is
between two independent computations. Records count as they read after their corrections:
a withdrawn reception or referral not at all, a rectified reception with its new values.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import (
    BigInteger,
    and_,
    case,
    cast,
    exists,
    extract,
    func,
    literal_column,
    select,
    true,
)
from sqlalchemy.orm import aliased

from passport.extensions import db
from passport.indicators import queries
from passport.indicators.periods import Question
from passport.indicators.queries import ReceptionCounts, ReferralCounts, structure_filters
from passport.passports.models import (
    Correction,
    CorrectionAction,
    Reception,
    Rectified,
    Referral,
    ReferralEvent,
)
from passport.structures.models import Structure

DELAY_STATUSES = ("received", "appointment")


def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _month_of(column):
    if _postgres():
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _corrected(model, action: str | None = None):
    """A correction (with ``action``, when given) names the row: SQL ``EXISTS``."""
    correction = aliased(Correction)  # not correlated to a query that joins corrections
    return exists().where(
        correction.target_kind == model.kind,
        correction.target_id == model.id,
        *([correction.action == action] if action else []),
    )


def receptions(q: Question) -> ReceptionCounts:
    """Counts of first receptions in the question's months, at structures that match it,
    as the records read after their corrections: the uncorrected ones counted by the
    database, the rectified ones (their new values are encrypted) one by one in Python."""
    counts = ReceptionCounts()
    month = _month_of(Reception.date)
    where = [
        Reception.date.between(q.start, q.end),
        *structure_filters(Structure, q),
        ~_corrected(Reception),
    ]
    anonymous = Reception.passport_id.is_(None)
    dims = (month, Reception.channel, Reception.situation, Structure.type)
    rows = db.session.execute(
        select(*dims, Structure.is_cep_operator, anonymous, func.count())
        .select_from(Reception)
        .join(Structure, Structure.id == Reception.issuer_structure_id)
        .where(*where)
        .group_by(*dims, Structure.is_cep_operator, anonymous)
    )
    m = counts.margins
    for mo, channel, situation, type_, cep, anon, n in rows:
        cep = bool(cep)
        m[("channel", channel, mo, type_, cep)] += n
        m[("situation", situation or "", mo, type_, cep)] += n
        m[("anonymous", "yes" if anon else "no", mo, type_, cep)] += n
    if _postgres():
        need = func.jsonb_array_elements_text(Reception.needs).table_valued("value")
    else:
        need = func.json_each(Reception.needs).table_valued("value")
    rows = db.session.execute(
        select(need.c.value, month, Structure.type, Structure.is_cep_operator, func.count())
        .select_from(Reception)
        .join(Structure, Structure.id == Reception.issuer_structure_id)
        .join(need, true())
        .where(*where)
        .group_by(need.c.value, month, Structure.type, Structure.is_cep_operator)
    )
    for value, mo, type_, cep, n in rows:
        m[("need", str(value), mo, type_, bool(cep))] += n
    _count_rectified(q, counts)
    return counts


def _count_rectified(q: Question, counts: ReceptionCounts) -> None:
    """The rectified receptions (not withdrawn) whose new date is in the question's months.

    Every rectification is read, wherever the reception first was: its new date may bring
    it into the period as well as take it out.
    """
    rows = db.session.execute(
        select(Reception, Correction, Structure.type, Structure.is_cep_operator)
        .join(Structure, Structure.id == Reception.issuer_structure_id)
        .join(
            Correction,
            and_(
                Correction.target_kind == Reception.kind,
                Correction.target_id == Reception.id,
                Correction.action == CorrectionAction.RECTIFY.value,
            ),
        )
        .where(
            *structure_filters(Structure, q),
            ~_corrected(Reception, CorrectionAction.WITHDRAW.value),
        )
    )
    m = counts.margins
    for reception, rectification, type_, cep in rows:
        now = Rectified(reception, rectification.changes)
        if not q.start <= now.date <= q.end:
            continue
        mo, cep = f"{now.date.year:04d}-{now.date.month:02d}", bool(cep)
        m[("channel", now.channel, mo, type_, cep)] += 1
        m[("situation", now.situation or "", mo, type_, cep)] += 1
        m[("anonymous", "yes" if now.passport_id is None else "no", mo, type_, cep)] += 1
        for need in now.needs or ():
            m[("need", str(need), mo, type_, cep)] += 1


def referrals(q: Question) -> ReferralCounts:
    """Counts of referrals sent in the question's months by structures that match it."""
    counts = ReferralCounts()
    sender, receiver = aliased(Structure), aliased(Structure)
    declined = aliased(ReferralEvent)
    low, high = q.instants()
    where = [
        Referral.created_at >= low,
        Referral.created_at < high,
        *structure_filters(sender, q),
        ~_corrected(Referral, CorrectionAction.WITHDRAW.value),  # a rectification counts alike
    ]
    reason = func.coalesce(declined.reason, literal_column("''"))
    dims = (sender.type, receiver.type, sender.is_cep_operator, Referral.status, reason)
    rows = db.session.execute(
        select(*dims, func.count())
        .select_from(Referral)
        .join(sender, sender.id == Referral.issuer_structure_id)
        .join(receiver, receiver.id == Referral.to_structure_id)
        .outerjoin(
            declined, and_(declined.referral_id == Referral.id, declined.status == "declined")
        )
        .where(*where)
        .group_by(*dims)
    )
    for from_type, to_type, cep, status, why, n in rows:
        counts.cube[(from_type, to_type, bool(cep), status, why)] += n
    hours = _hours_between(Referral.created_at, ReferralEvent.created_at)
    delay_dims = (ReferralEvent.status, sender.is_cep_operator, hours)
    delays = db.session.execute(
        select(*delay_dims, func.count())
        .select_from(Referral)
        .join(sender, sender.id == Referral.issuer_structure_id)
        .join(ReferralEvent, ReferralEvent.referral_id == Referral.id)
        .where(*where, ReferralEvent.status.in_(DELAY_STATUSES))
        .group_by(*delay_dims)
    )
    for status, cep, h, n in delays:
        counts.delays[(status, bool(cep), int(h))] += n
    return counts


def _hours_between(start, end):
    """Whole hours from ``start`` to ``end``, each taken to the second, never negative."""
    if _postgres():
        seconds = func.floor(extract("epoch", end)) - func.floor(extract("epoch", start))
        hours = func.floor(seconds / literal_column("3600"))
    else:
        seconds = cast(func.strftime("%s", end), BigInteger) - cast(
            func.strftime("%s", start), BigInteger
        )
        hours = seconds / literal_column("3600")
    return case((hours < literal_column("0"), literal_column("0")), else_=hours)


def differences(q: Question) -> list[str]:
    """Where the monthly counts and the records disagree about ``q`` (empty: they agree)."""
    out = []
    pairs = (
        ("receptions", queries.receptions(q).margins, receptions(q).margins),
        *(
            (name, getattr(kept, name), getattr(truth, name))
            for kept, truth in [(queries.referrals(q), referrals(q))]
            for name in ("cube", "delays")
        ),
    )
    for name, kept, truth in pairs:
        kept, truth = +Counter(kept), +Counter(truth)
        for key in sorted(set(kept) | set(truth), key=repr):
            if kept[key] != truth[key]:
                out.append(f"{name} {key}: counted {kept[key]}, records {truth[key]}")
    return out
