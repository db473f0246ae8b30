"""The CPF simulator's figures against DOMAIN.md's rules, on a table of cases (integer cents)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from passport.cpf import rules
from passport.cpf.simulator import NoRule, WorkYear, cents, simulate

D = Decimal


def _years(*specs):
    return [WorkYear(y, D(r), low) for y, r, low in specs]


# (case, balance €, years [(year, ratio, below level 3)], expected accruals in cents, projected)
ACCRUALS = [
    ("full year", "0", [(2025, "1", False)], [500_00], 500_00),
    ("exactly half-time counts in full", "0", [(2025, "0.5", False)], [500_00], 500_00),
    ("80 % time", "1000", [(2025, "0.8", False)], [500_00], 1500_00),
    ("under half-time: pro rata of half-time", "0", [(2025, "0.3", False)], [300_00], 300_00),
    # 500 € x 0.333333 / 0.5 = 333.333 €, rounded UP to the cent
    ("under half-time, rounded up", "0", [(2025, "0.333333", False)], [333_34], 333_34),
    ("a sliver of time rounds up", "0", [(2025, "0.000001", False)], [1], 1),
    ("below level 3, rounded up", "0", [(2025, "0.111111", True)], [177_78], 177_78),
    ("not working that year", "0", [(2025, "0", False)], [0], 0),
    ("below level 3", "0", [(2025, "1", True)], [800_00], 800_00),
    ("below level 3 under half-time", "0", [(2025, "0.25", True)], [400_00], 400_00),
    ("cap 5,000 €", "4800", [(2025, "1", False), (2026, "1", False)], [200_00, 0], 5000_00),
    (
        "cap 8,000 € below level 3",
        "7500",
        [(2025, "1", True), (2026, "1", True)],
        [500_00, 0],
        8000_00,
    ),
    ("a balance above the cap keeps it", "6000", [(2025, "1", False)], [0], 6000_00),
    (
        "ten full years reach the cap",
        "0",
        [(y, "1", False) for y in range(2019, 2029)],
        [500_00] * 10,
        5000_00,
    ),
    (
        "years in any order",
        "0",
        [(2026, "1", False), (2025, "0.4", False)],
        [400_00, 500_00],
        900_00,
    ),
]


@pytest.mark.parametrize(
    ("case", "balance", "years", "accrued", "projected"), ACCRUALS, ids=[c[0] for c in ACCRUALS]
)
def test_accruals(case, balance, years, accrued, projected):
    result = simulate(cents(D(balance)), date(2025, 1, 15), _years(*years))
    assert [a.credited_cents for a in result.accruals] == accrued
    assert result.projected_cents == projected


def test_cap_reported_is_the_last_years():
    assert simulate(0, date(2025, 1, 1), _years((2025, "1", True))).cap_cents == 8000_00
    assert simulate(0, date(2025, 1, 1), _years((2025, "1", False))).cap_cents == 5000_00
    assert simulate(0, date(2025, 1, 1), []).cap_cents == 5000_00


# (case, purchase date, jobseeker, employer co-funding €, participation cents, exemption)
PARTICIPATION = [
    ("before 2 May 2024: none", date(2024, 5, 1), False, "0", 0, "not_yet"),
    ("2 May 2024: 100 €", date(2024, 5, 2), False, "0", 100_00, None),
    ("late 2024: 100 €", date(2024, 12, 31), False, "0", 100_00, None),
    ("2025: 102.23 €", date(2025, 1, 1), False, "0", 102_23, None),
    ("2026: 103.20 €", date(2026, 6, 1), False, "0", 103_20, None),
    ("jobseeker: none", date(2026, 6, 1), True, "0", 0, "jobseeker"),
    ("employer co-funds: none", date(2025, 3, 1), False, "100", 0, "employer"),
]


@pytest.mark.parametrize(
    ("case", "day", "jobseeker", "cofunding", "participation", "exemption"),
    PARTICIPATION,
    ids=[c[0] for c in PARTICIPATION],
)
def test_flat_participation(case, day, jobseeker, cofunding, participation, exemption):
    result = simulate(
        0,
        date(2024, 1, 1),
        [],
        training_cost_cents=0,
        purchase_date=day,
        jobseeker=jobseeker,
        employer_cofunding_cents=cents(D(cofunding)),
    )
    assert result.participation_cents == participation
    assert result.exemption == exemption


# (case, balance, cost, co-funding, jobseeker, purchase, remaining cents)
REMAINING = [
    (
        "balance covers it: the participation only",
        "2000",
        "1500",
        "0",
        False,
        date(2026, 2, 1),
        103_20,
    ),
    ("balance short", "1000", "1500", "0", False, date(2025, 2, 1), 500_00 + 102_23),
    ("employer co-funds the rest", "1000", "1500", "300", False, date(2025, 2, 1), 200_00),
    ("employer co-funds more than the rest", "1000", "1500", "800", False, date(2025, 2, 1), 0),
    ("jobseeker, balance short", "1000", "1500.50", "0", True, date(2026, 2, 1), 500_50),
    ("before May 2024", "0", "1200", "0", False, date(2024, 3, 1), 1200_00),
]


@pytest.mark.parametrize(
    ("case", "balance", "cost", "cofunding", "jobseeker", "day", "remaining"),
    REMAINING,
    ids=[c[0] for c in REMAINING],
)
def test_remaining_cost(case, balance, cost, cofunding, jobseeker, day, remaining):
    result = simulate(
        cents(D(balance)),
        date(2024, 1, 1),
        [],
        training_cost_cents=cents(D(cost)),
        purchase_date=day,
        jobseeker=jobseeker,
        employer_cofunding_cents=cents(D(cofunding)),
    )
    assert result.remaining_cents == remaining


def test_remaining_cost_uses_the_projected_balance():
    result = simulate(
        1000_00,
        date(2025, 1, 1),
        _years((2025, "1", False)),
        training_cost_cents=1500_00,
        purchase_date=date(2026, 3, 1),
    )
    assert result.projected_cents == 1500_00 and result.remaining_cents == 103_20


def test_no_training_cost_no_remaining_cost():
    result = simulate(0, date(2025, 1, 1), [], purchase_date=date(2025, 6, 1))
    assert result.remaining_cents is None and result.participation_cents == 102_23


def test_years_in_hours_are_out_of_scope():
    with pytest.raises(NoRule):
        simulate(0, date(2025, 1, 1), _years((2018, "1", False)))


def test_rules_are_dated_rows_with_their_legal_text():
    periods = [(r.valid_from, r.valid_to) for r in rules.PARTICIPATION_RULES]
    for (_, end), (start, _) in zip(periods, periods[1:], strict=False):
        assert (start - end).days == 1  # no gap, no overlap
    for rule in (*rules.ACCRUAL_RULES, *rules.PARTICIPATION_RULES):
        assert rule.legal_basis
    assert "R6323-1" in rules.ACCRUAL_RULES[0].legal_basis
    assert "L6323-11" in rules.ACCRUAL_RULES[0].legal_basis


def test_money_is_cents_never_floats():
    assert cents(D("1250.50")) == 125050
    with pytest.raises(ValueError, match="two decimals"):
        cents(D("0.001"))
