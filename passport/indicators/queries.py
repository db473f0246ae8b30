"""The true counts behind the indicators, read from the monthly counts (``indicators.models``).

Nothing here is published as is: ``services`` turns these counts into a protected answer.
Each function runs one grouped query over the months of the question, filtered and grouped
by the structures' groups that the rows hold (department, type, CEP operator, as they are
now: a change of group moves the records, ``aggregates.recount_structures``), with no
join; ``raw`` computes the same counts from the records themselves (``flask indicators
check`` and the tests compare the two).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from passport.extensions import db
from passport.indicators.models import ReceptionCount, ReferralCount, ReferralDelay, RegionDelay
from passport.indicators.periods import Question


@dataclass
class ReceptionCounts:
    """Receptions by ``(dimension, value, month, structure type, CEP operator)``.

    ``dimension`` is ``channel``, ``situation`` (``""``: not said), ``anonymous``
    (``yes``/``no``) or ``need``; each reception counts once in each of the first three.
    """

    margins: Counter = field(default_factory=Counter)


@dataclass
class ReferralCounts:
    """Referrals by ``(sender type, receiver type, sender is a CEP operator, status,
    reason)`` (``""``: none), and delays by ``(status, CEP operator, whole hours)``."""

    cube: Counter = field(default_factory=Counter)
    delays: Counter = field(default_factory=Counter)


def structure_filters(structure, q: Question) -> list:
    """The question's filters on a structure (``raw``'s joined structure)."""
    out = []
    if q.department:
        out.append(structure.department == q.department)
    if q.structure_type:
        out.append(structure.type == q.structure_type)
    return out


def _in_question(model, q: Question) -> list:
    """The question's months and its filters on the group of a monthly table's rows."""
    months = q.months
    out = [model.month >= months[0], model.month <= months[-1]]
    if q.department:
        out.append(model.department == q.department)
    if q.structure_type:
        out.append(model.structure_type == q.structure_type)
    return out


def receptions(q: Question) -> ReceptionCounts:
    """Receptions in the question's months at structures that match it."""
    counts = ReceptionCounts()
    c = ReceptionCount
    dims = (c.dimension, c.value, c.month, c.structure_type, c.cep)
    rows = db.session.execute(
        select(*dims, func.sum(c.count)).where(*_in_question(c, q)).group_by(*dims)
    )
    for dim, value, month, type_, cep, n in rows:
        if n:
            counts.margins[(dim, value, month, type_, bool(cep))] += int(n)
    return counts


def referrals(q: Question) -> ReferralCounts:
    """Referrals sent in the question's months by structures that match it."""
    counts = ReferralCounts()
    c = ReferralCount
    dims = (c.structure_type, c.receiver_type, c.cep, c.status, c.reason)
    rows = db.session.execute(
        select(*dims, func.sum(c.count)).where(*_in_question(c, q)).group_by(*dims)
    )
    for from_type, to_type, cep, status, reason, n in rows:
        if n:
            counts.cube[(from_type, to_type, bool(cep), status, reason)] += int(n)
    # The whole region reads the delays summed over departments and types (far fewer rows).
    whole = q.department is None and q.structure_type is None
    d = RegionDelay if whole else ReferralDelay
    where = [d.month >= q.months[0], d.month <= q.months[-1]] if whole else _in_question(d, q)
    delay_dims = (d.status, d.cep, d.hours)
    delays = db.session.execute(
        select(*delay_dims, func.sum(d.count)).where(*where).group_by(*delay_dims)
    )
    for status, cep, hours, n in delays:
        if n:
            counts.delays[(status, bool(cep), int(hours))] += int(n)
    return counts
