"""The CPF simulator: what the account will hold, and what a training will cost the holder.

Pure computation over ``passport.cpf.rules`` in integer cents (never floats); it reads no
database and no request, so the API and the page call it alike and show the same steps.

- Each year of work credits the year's amount (800 € instead of 500 € without a level-3
  qualification); at least half-time counts in full, under half-time pro rata of the time
  worked relative to half-time, rounded up to the cent; the balance never passes the cap
  through accruals (a balance already above it keeps its value and earns nothing).
- Remaining cost of a training = max(0, cost - projected balance - employer co-funding)
  + the flat participation in force on the purchase date, which jobseekers and holders
  whose employer co-funds do not pay.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, Decimal

from passport.cpf.rules import AccrualRule, NoRule, ParticipationRule, accrual_rule
from passport.cpf.rules import participation_rule as participation_rule_on
from passport.db import today_local

__all__ = ["Accrual", "NoRule", "Simulation", "WorkYear", "cents", "simulate"]


def cents(euros: Decimal | int) -> int:
    """Euros (exact decimal) to integer cents; more than two decimals is refused."""
    value = Decimal(euros) * 100
    if value != value.to_integral_value():
        raise ValueError("more than two decimals")
    return int(value)


@dataclass(frozen=True)
class WorkYear:
    """One year of work: its ratio of full time (0 to 1) and the qualification that year."""

    year: int
    work_ratio: Decimal
    below_level_3: bool = False


@dataclass(frozen=True)
class Accrual:
    """What one year credits, step by step."""

    year: int
    work_ratio: Decimal
    below_level_3: bool
    rule: AccrualRule
    annual_cents: int  # the year's full amount
    due_cents: int  # after the pro rata under half-time
    credited_cents: int  # after the cap
    cap_cents: int
    balance_after_cents: int

    @property
    def prorated(self) -> bool:
        return self.due_cents != self.annual_cents

    @property
    def capped(self) -> bool:
        return self.credited_cents != self.due_cents


@dataclass(frozen=True)
class Simulation:
    balance_cents: int
    as_of: date
    accruals: list[Accrual]
    projected_cents: int
    cap_cents: int
    purchase_date: date
    participation_rule: ParticipationRule
    participation_cents: int
    #: Why no participation is due: "jobseeker", "employer", "not_yet" (before 2 May 2024).
    exemption: str | None
    training_cost_cents: int | None = None
    cofunding_cents: int = 0
    uncovered_cents: int | None = None
    remaining_cents: int | None = None
    rules_used: list[AccrualRule] = field(default_factory=list)


def _due(rule: AccrualRule, annual: int, ratio: Decimal) -> int:
    full = Decimal(rule.full_ratio)
    if ratio >= full:
        return annual
    return int((Decimal(annual) * ratio / full).to_integral_value(rounding=ROUND_CEILING))


def simulate(
    balance_cents: int,
    as_of: date,
    years: list[WorkYear],
    *,
    training_cost_cents: int | None = None,
    purchase_date: date | None = None,
    jobseeker: bool = False,
    employer_cofunding_cents: int = 0,
    today: date | None = None,
) -> Simulation:
    """The projected balance after ``years`` and the remaining cost of a training.

    Raises ``NoRule`` for a year before 2019 (the account counted hours then) or a purchase
    date that no rule covers.
    """
    running = balance_cents
    accruals: list[Accrual] = []
    cap = accrual_rule(max(as_of.year, 2019)).cap_cents
    used: list[AccrualRule] = []
    for work in sorted(years, key=lambda w: w.year):
        rule = accrual_rule(work.year)
        if rule not in used:
            used.append(rule)
        annual = rule.annual_below_level_3_cents if work.below_level_3 else rule.annual_cents
        cap = rule.cap_below_level_3_cents if work.below_level_3 else rule.cap_cents
        due = _due(rule, annual, work.work_ratio)
        credited = max(0, min(due, cap - running))
        running += credited
        accruals.append(
            Accrual(
                work.year,
                work.work_ratio,
                work.below_level_3,
                rule,
                annual,
                due,
                credited,
                cap,
                running,
            )
        )
    purchase = purchase_date or today or today_local()
    p_rule = participation_rule_on(purchase)
    exemption = None
    participation = p_rule.amount_cents
    if jobseeker:
        exemption, participation = "jobseeker", 0
    elif employer_cofunding_cents > 0:
        exemption, participation = "employer", 0
    elif participation == 0:
        exemption = "not_yet"
    uncovered = remaining = None
    if training_cost_cents is not None:
        uncovered = max(0, training_cost_cents - running - employer_cofunding_cents)
        remaining = uncovered + participation
    return Simulation(
        balance_cents=balance_cents,
        as_of=as_of,
        accruals=accruals,
        projected_cents=running,
        cap_cents=cap,
        purchase_date=purchase,
        participation_rule=p_rule,
        participation_cents=participation,
        exemption=exemption,
        training_cost_cents=training_cost_cents,
        cofunding_cents=employer_cofunding_cents,
        uncovered_cents=uncovered,
        remaining_cents=remaining,
        rules_used=used or [accrual_rule(max(as_of.year, 2019))],
    )
