"""The CPF rules as dated parameters: one row per period, with the text of law it comes from.

Rules change every year (the flat participation is revalued each 1 January): a change is a
new row here, never an edit of the code that computes. Amounts are integer cents.

Sources (Code du travail, Légifrance):
- accrual and caps since 2019: L6323-11 (500 € a year, capped at 5,000 €; under half-time,
  pro rata) and R6323-1 (the amounts), R6323-3-1 (800 € / 8,000 € without a level-3
  qualification), décret n° 2018-1329 du 28 décembre 2018;
- flat participation of the holder: L6323-4 (loi n° 2022-1726 du 30 décembre 2022, art. 212),
  décret n° 2024-394 du 29 avril 2024 (100 € from 2 May 2024, revalued each 1 January:
  102.23 € in 2025, 103.20 € in 2026); not due from jobseekers nor when an employer co-funds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class AccrualRule:
    """What a year of work credits to the account (euros era, from 2019)."""

    valid_from: date
    valid_to: date | None
    annual_cents: int
    cap_cents: int
    annual_below_level_3_cents: int
    cap_below_level_3_cents: int
    #: At least this work ratio counts in full; under it, pro rata of it (half-time).
    full_ratio: str
    legal_basis: str

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class ParticipationRule:
    """The flat participation the holder pays on each purchase (participation forfaitaire)."""

    valid_from: date
    valid_to: date | None
    amount_cents: int
    legal_basis: str

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


ACCRUAL_RULES: tuple[AccrualRule, ...] = (
    AccrualRule(
        valid_from=date(2019, 1, 1),
        valid_to=None,
        annual_cents=500_00,
        cap_cents=5_000_00,
        annual_below_level_3_cents=800_00,
        cap_below_level_3_cents=8_000_00,
        full_ratio="0.5",
        legal_basis=(
            "Code du travail, art. L6323-11, R6323-1 et R6323-3-1 "
            "(décret n° 2018-1329 du 28 décembre 2018)"
        ),
    ),
)

PARTICIPATION_RULES: tuple[ParticipationRule, ...] = (
    ParticipationRule(
        valid_from=date(2019, 1, 1),
        valid_to=date(2024, 5, 1),
        amount_cents=0,
        legal_basis="Aucune participation forfaitaire avant le 2 mai 2024",
    ),
    ParticipationRule(
        valid_from=date(2024, 5, 2),
        valid_to=date(2024, 12, 31),
        amount_cents=100_00,
        legal_basis="Code du travail, art. L6323-4 ; décret n° 2024-394 du 29 avril 2024",
    ),
    ParticipationRule(
        valid_from=date(2025, 1, 1),
        valid_to=date(2025, 12, 31),
        amount_cents=102_23,
        legal_basis=(
            "Code du travail, art. L6323-4 ; décret n° 2024-394 du 29 avril 2024, "
            "montant revalorisé au 1er janvier 2025"
        ),
    ),
    ParticipationRule(
        valid_from=date(2026, 1, 1),
        valid_to=None,
        amount_cents=103_20,
        legal_basis=(
            "Code du travail, art. L6323-4 ; décret n° 2024-394 du 29 avril 2024, "
            "montant revalorisé au 1er janvier 2026"
        ),
    ),
)

#: The first year the simulator counts (before 2019 the account was in hours).
FIRST_YEAR = ACCRUAL_RULES[0].valid_from.year


class NoRule(LookupError):
    """No rule covers that date (before 2019: the account counted hours)."""


def accrual_rule(year: int) -> AccrualRule:
    """The rule for a year of work (the one in force on 31 December of that year)."""
    day = date(year, 12, 31)
    for rule in ACCRUAL_RULES:
        if rule.covers(day):
            return rule
    raise NoRule(year)


def participation_rule(day: date) -> ParticipationRule:
    """The flat participation in force on the day of the purchase."""
    for rule in PARTICIPATION_RULES:
        if rule.covers(day):
            return rule
    raise NoRule(day)
