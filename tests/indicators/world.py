"""Rows written straight into the tables (no chain, no signature): fast data for indicators.

Written around ``passport.records``, so the monthly counts are not kept as they go:
``settle()`` rebuilds them from the rows and commits, as after a bulk load.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from passport.db import LOCAL_TZ
from passport.extensions import db
from passport.indicators import aggregates
from passport.indicators.disclosure import BASE, INF, Table, propagate
from passport.passports.models import (
    Correction,
    CorrectionRequest,
    Reception,
    Referral,
    ReferralEvent,
)
from tests import factories


def network():
    """Four structures in two departments, two of them CEP operators, and one passport."""
    from passport.passports.services import passport_of

    _PASSPORT[:] = [passport_of(factories.holder()).id]
    db.session.commit()
    return [
        factories.structure("ML-28", type_="ML", department="28", is_cep_operator=True),
        factories.structure("CIO-28", type_="CIO", department="28"),
        factories.structure("CAP-45", type_="CAP", department="45", is_cep_operator=True),
        factories.structure("CIO-45", type_="CIO", department="45"),
    ]


def reception(structure, day: date, channel="in_person", needs=(), situation=None, anonymous=True):
    row = Reception(
        date=day,
        channel=channel,
        needs=sorted(set(needs)),
        situation=situation,
        issuer_structure_id=structure.id,
        passport_id=None if anonymous else _PASSPORT[0],
    )
    db.session.add(row)
    return row


def referral(sender, receiver, day: date, status="sent", received_after=None, reason=None):
    sent_at = datetime.combine(day, time(10), LOCAL_TZ)
    row = Referral(
        issuer_structure_id=sender.id,
        to_structure_id=receiver.id,
        needs=[],
        status=status,
        created_at=sent_at,
        status_changed_at=sent_at,
    )
    db.session.add(row)
    db.session.flush()
    if received_after is not None:
        db.session.add(
            ReferralEvent(
                referral_id=row.id,
                status="received",
                created_at=sent_at + timedelta(days=received_after),
            )
        )
    if reason is not None:
        db.session.add(
            ReferralEvent(
                referral_id=row.id,
                status="declined",
                reason=reason,
                created_at=sent_at + timedelta(days=1),
            )
        )
    return row


_PASSPORT: list[int] = []


def settle() -> None:
    """Count what was written (``flask indicators rebuild``) and commit."""
    aggregates.rebuild()
    db.session.commit()


def wipe() -> None:
    for model in (CorrectionRequest, Correction, ReferralEvent, Referral, Reception):
        db.session.execute(db.delete(model))
    settle()


def attacker_box(value: int | None, truth: int) -> tuple[float, float]:
    """What the strongest attacker knows of one figure: it even knows secondary suppression."""
    if value is not None:
        return (value, value + BASE - 1)
    return (BASE, INF) if truth >= BASE else (0, BASE - 1)


def recovered_small(table: Table, shown: dict, other=None) -> list:
    """Keys whose true count (1 to 4) the attacker pins, from one answer or from two.

    With ``other`` (the table and shown figures of a narrower question), the attacker also
    uses the differences: each figure of the wider answer is the narrower one's plus a
    non-negative rest.
    """
    boxes, sums, truth = {}, [], {}

    def load(tag, t: Table, s: dict):
        for key, value in t.values.items():
            truth[(tag, key)] = value
            boxes[(tag, key)] = (0, INF) if key in t.unpublished else attacker_box(s[key], value)
        sums.extend(((tag, total), tuple((tag, p) for p in parts)) for total, parts in t.sums)

    load("a", table, shown)
    if other is not None:
        narrow, narrow_shown = other
        load("b", narrow, narrow_shown)
        for key, value in table.values.items():
            truth[("d", key)] = value - narrow.values.get(key, 0)
            boxes[("d", key)] = (0, INF)
            if key in narrow.values:
                sums.append((("a", key), (("b", key), ("d", key))))
            else:
                sums.append((("a", key), (("d", key),)))
        sums.extend((("d", total), tuple(("d", p) for p in parts)) for total, parts in table.sums)
    ranges = propagate(boxes, sums)
    return [
        key
        for key, value in truth.items()
        if 1 <= value < BASE and ranges[key][0] == ranges[key][1]
    ]
