"""The monthly counts equal the records: kept on write, on erasure, and by a rebuild.

Random histories (hypothesis) go through the one write path (``passport.records``) at
random instants, near the turn of a month in French time included: receptions (with a
passport or anonymous), referrals moved along the workflow (declines with a reason, delays
to the minute), holders erased. Then, for the whole period and narrower questions, the
counts read from the monthly tables equal the counts computed from the records
(``raw``), the published answers are the same, and a rebuild writes the same rows.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passport.accounts.models import User
from passport.db import LOCAL_TZ
from passport.extensions import db
from passport.indicators import aggregates, raw
from passport.indicators.disclosure import protect
from passport.indicators.models import ReceptionCount, ReferralCount, ReferralDelay
from passport.indicators.periods import Question
from passport.indicators.services import answer, indicators, true_table
from passport.passports.models import REFERRAL_TRANSITIONS, DeclineReason, Referral
from passport.passports.services import passport_of
from passport.records import services as records
from passport.structures.models import Structure
from passport.trust.erasure import erase_holder
from tests import factories
from tests.indicators import world

HOLDERS = 3
WHOLE = Question(date(2026, 1, 1), date(2026, 3, 31))
QUESTIONS = [
    WHOLE,
    replace(WHOLE, end=date(2026, 2, 28)),
    replace(WHOLE, start=date(2026, 2, 1), end=date(2026, 2, 28)),
    replace(WHOLE, department="45"),
    replace(WHOLE, structure_type="CIO"),
]
REASONS = [r.value for r in DeclineReason]

# Local instants in and around the three months: the first and last hours of a month too.
instants = st.builds(
    lambda month, day, hour, minute: datetime.combine(
        date(2025 + (month + 11) // 12, (month + 11) % 12 + 1, 1) + timedelta(days=day),
        time(hour, minute),
        LOCAL_TZ,
    ),
    st.integers(0, 4),  # December 2025 to April 2026
    st.sampled_from([0, 14, 27, 28, 29, 30]),
    st.sampled_from([0, 1, 10, 22, 23]),
    st.integers(0, 59),
)
receptions = st.tuples(
    st.just("reception"),
    st.integers(0, 3),  # structure
    instants,
    st.sampled_from(["in_person", "phone", "online"]),
    st.lists(st.sampled_from(["summer_job", "vae", "mobility", "other"]), max_size=3),
    st.sampled_from([None, "student", "jobseeker"]),
    st.one_of(st.none(), st.integers(0, HOLDERS - 1)),  # None: anonymous
)
referrals = st.tuples(
    st.just("referral"),
    st.integers(0, 3),
    st.integers(1, 3),  # the receiver is this many places further in the list
    st.integers(0, HOLDERS - 1),
    instants,
)
moves = st.tuples(
    st.just("move"),
    st.integers(0, 30),  # which referral (modulo how many were sent)
    st.integers(0, 3),  # which allowed next status (modulo how many there are)
    st.integers(0, 30 * 24 * 60),  # minutes after the referral's latest step
    st.sampled_from(REASONS),
)
erasures = st.tuples(st.just("erase"), st.integers(0, HOLDERS - 1))
histories = st.lists(
    st.one_of(receptions, receptions, referrals, referrals, moves, moves, moves, erasures),
    max_size=30,
)


@pytest.fixture
def structures(ctx):
    return world.network()


@pytest.fixture
def structure_ids(structures):
    return [s.id for s in structures]


def _play(ids, history) -> None:
    world.wipe()
    structures = [db.session.get(Structure, i) for i in ids]
    holders = [factories.holder().id for _ in range(HOLDERS)]
    passports: list[int | None] = [passport_of(db.session.get(User, h)).id for h in holders]
    db.session.commit()
    sent: list[tuple[int, datetime]] = []
    for op in history:
        if op[0] == "reception":
            _, s, at, channel, needs, situation, who = op
            passport = None if who is None else passports[who]
            with time_machine.travel(at, tick=False):
                records.record_reception(
                    structures[s],
                    passport,
                    date=at.date(),
                    channel=channel,
                    needs=needs,
                    situation=situation,
                )
        elif op[0] == "referral":
            _, s, step, who, at = op
            if passports[who] is None:
                continue
            with time_machine.travel(at, tick=False):
                referral = records.send_referral(
                    structures[s], passports[who], structures[(s + step) % 4], needs=["vae"]
                )
            sent.append((referral.id, at))
        elif op[0] == "move" and sent:
            _, k, choice, minutes, reason = op
            referral_id, latest = sent[k % len(sent)]
            referral = db.session.get(Referral, referral_id)
            allowed = sorted(REFERRAL_TRANSITIONS[referral.status])
            if not allowed:
                continue
            status = allowed[choice % len(allowed)]
            at = latest + timedelta(minutes=minutes)
            receiver = db.session.get(Structure, referral.to_structure_id)
            with time_machine.travel(at, tick=False):
                records.change_referral_status(
                    referral,
                    receiver,
                    status,
                    appointment=records.Appointment(at=at + timedelta(days=2))
                    if status == "appointment"
                    else None,
                    reason=reason if status == "declined" else None,
                )
            sent[k % len(sent)] = (referral_id, at)
        elif op[0] == "erase" and passports[op[1]] is not None:
            erase_holder(holders[op[1]])
            passports[op[1]] = None
            structures = [db.session.get(Structure, i) for i in ids]  # the erasure expunged
        db.session.commit()


def _rows() -> dict:
    """Every non-zero monthly count, by table and key."""
    out = {}
    for model in (ReceptionCount, ReferralCount, ReferralDelay):
        keys = [c.name for c in model.__table__.primary_key.columns]
        out[model.__tablename__] = {
            tuple(getattr(row, k) for k in keys): row.count
            for row in db.session.execute(db.select(model)).scalars()
            if row.count
        }
    return out


def _assert_counts_match_records() -> None:
    for q in QUESTIONS:
        assert raw.differences(q) == [], q
        table, counts = true_table(q, from_records=True)
        assert indicators(q) == answer(q, protect(table), counts)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(histories)
def test_the_monthly_counts_equal_the_records(structure_ids, history):
    _play(structure_ids, history)
    _assert_counts_match_records()
    kept = _rows()
    aggregates.rebuild()
    db.session.commit()
    assert _rows() == kept
    _assert_counts_match_records()


def test_a_known_history_gives_known_counts(structures):
    """A reception at 00:30 on 1 February (French time) counts in February, a referral
    sent at 23:30 on 31 January in January; delays are counted in whole hours."""
    ml, cio = structures[0], structures[1]
    holder = factories.holder()
    passport = passport_of(holder).id
    night = datetime(2026, 1, 31, 23, 30, tzinfo=LOCAL_TZ)
    with time_machine.travel(night, tick=False):
        referral = records.send_referral(ml, passport, cio, needs=["vae"])
    records.record_reception(ml, passport, date=date(2026, 2, 1), channel="phone", needs=["vae"])
    for status, hours in (("received", 49.9), ("declined", 100)):
        with time_machine.travel(night + timedelta(hours=hours), tick=False):
            records.change_referral_status(
                referral,
                cio,
                status,
                reason="no_capacity" if status == "declined" else None,
            )
    db.session.commit()
    rows = _rows()
    assert rows["indicator_referral_counts"] == {
        ("2026-01", ml.id, cio.id, "declined", "no_capacity"): 1
    }
    assert rows["indicator_referral_delays"] == {("2026-01", ml.id, "received", 49): 1}
    assert rows["indicator_reception_counts"] == {
        ("2026-02", ml.id, "channel", "phone"): 1,
        ("2026-02", ml.id, "situation", ""): 1,
        ("2026-02", ml.id, "anonymous", "no"): 1,
        ("2026-02", ml.id, "need", "vae"): 1,
    }
    # the erasure keeps the reception, now anonymous, and the referral as it was
    erase_holder(holder.id)
    db.session.commit()
    rows = _rows()
    assert rows["indicator_reception_counts"][("2026-02", ml.id, "anonymous", "yes")] == 1
    assert ("2026-02", ml.id, "anonymous", "no") not in rows["indicator_reception_counts"]
    assert rows["indicator_referral_counts"] == {
        ("2026-01", ml.id, cio.id, "declined", "no_capacity"): 1
    }
    _assert_counts_match_records()


def test_a_rebuild_of_some_months_leaves_the_others(structures):
    ml = structures[0]
    for day in (date(2026, 1, 5), date(2026, 2, 5), date(2026, 3, 5)):
        records.record_reception(ml, None, date=day, channel="online", needs=[])
    db.session.commit()
    db.session.execute(db.delete(ReceptionCount))  # as if the counts had been lost
    aggregates.rebuild("2026-02", "2026-03")
    db.session.commit()
    months = {key[0] for key in _rows()["indicator_reception_counts"]}
    assert months == {"2026-02", "2026-03"}
    assert raw.differences(replace(WHOLE, start=date(2026, 2, 1))) == []
    assert raw.differences(WHOLE) != []
