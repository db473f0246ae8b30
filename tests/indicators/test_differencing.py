"""Property tests on the database: random data, random pairs of questions, nothing small leaks.

The attacker of ``world.recovered_small`` knows every published figure of both answers,
the rounding rule, which figures are secondary suppressions, and every sum that ties them;
with two nested questions (adjacent periods, a department or a structure type within the
whole) it also uses the differences. No true count from 1 to 4 may end up pinned.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passport.indicators.disclosure import protect
from passport.indicators.periods import Question
from passport.indicators.services import answer, true_table
from tests.indicators import world

MONTHS = [date(2026, m, 10) for m in range(1, 5)]
CHANNELS = ["in_person", "phone", "online"]
NEEDS = ["summer_job", "vae", "mobility"]
STATUSES = ["sent", "received", "appointment", "completed", "declined"]

receptions = st.lists(
    st.tuples(
        st.integers(0, 3),  # structure
        st.integers(0, 3),  # month
        st.sampled_from(CHANNELS),
        st.lists(st.sampled_from(NEEDS), max_size=2),
        st.sampled_from([None, "student", "jobseeker"]),
    ),
    max_size=45,
)
referrals = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3), st.sampled_from(STATUSES)),
    max_size=35,
)
WHOLE = Question(date(2026, 1, 1), date(2026, 4, 30))
NARROWER = [
    replace(WHOLE, end=date(2026, 3, 31)),  # one month less at the end
    replace(WHOLE, start=date(2026, 2, 1)),  # one month less at the start
    replace(WHOLE, department="28"),
    replace(WHOLE, structure_type="CIO"),
    replace(WHOLE, department="28", structure_type="ML"),
]


@pytest.fixture
def structures(ctx):
    return world.network()


def _published(q):
    table, counts = true_table(q)
    shown = protect(table)
    return table, shown, answer(q, shown, counts)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(receptions, referrals, st.sampled_from(NARROWER))
def test_no_small_count_is_recovered_from_two_questions(structures, rs, fs, narrow):
    world.wipe()
    for s, m, channel, needs, situation in rs:
        world.reception(structures[s], MONTHS[m], channel, needs, situation)
    for a, b, m, status in fs:
        world.referral(structures[a], structures[b], MONTHS[m], status)
    world.settle()
    wide_table, wide_shown, wide_answer = _published(WHOLE)
    narrow_table, narrow_shown, _ = _published(narrow)
    assert world.recovered_small(wide_table, wide_shown) == []
    assert world.recovered_small(narrow_table, narrow_shown) == []
    assert world.recovered_small(wide_table, wide_shown, (narrow_table, narrow_shown)) == []
    _assert_nothing_small_is_shown(wide_answer)


def _assert_nothing_small_is_shown(value):
    """Every count is 5 or more and on the grid of 5 (rates are percentages of counts)."""
    if isinstance(value, dict):
        for name, item in value.items():
            if not name.endswith("_rate"):
                _assert_nothing_small_is_shown(item)
    elif isinstance(value, list):
        for item in value:
            _assert_nothing_small_is_shown(item)
    elif isinstance(value, int) and not isinstance(value, bool):
        assert value >= 5 and value % 5 == 0
