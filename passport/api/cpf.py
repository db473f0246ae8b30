"""``POST /api/v1/cpf/simulate``: the CPF simulator (anyone, rate-limited).

The body and answer are in API.md; the computation is ``passport.cpf.simulator`` (integer
cents) and the dated rules it used are returned under ``rules``. A year before 2019 (the
account counted hours then) or two entries for one year answer 422 with ``errors``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field, WithJsonSchema, field_validator

from passport.api import bp
from passport.api.openapi import doc
from passport.api.schemas import Number, Schema, parse
from passport.api.serializers import money
from passport.cpf import simulator
from passport.cpf.rules import FIRST_YEAR, AccrualRule, ParticipationRule
from passport.errors import Problem
from passport.extensions import limiter

SIMULATE_RATE = "60 per minute"

Money = Annotated[
    Decimal,
    Number,
    Field(ge=0, le=1_000_000, decimal_places=2),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 1000000, "multipleOf": 0.01}),
]
Ratio = Annotated[
    Decimal,
    Number,
    Field(ge=0, le=1, decimal_places=6),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 1}),
]
Day = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]


class WorkYearIn(Schema):
    year: Annotated[int, Field(ge=FIRST_YEAR, le=2100)]
    work_ratio: Ratio
    below_level_3: bool = False


class SimulationIn(Schema):
    balance_eur: Money
    as_of: Day
    years: list[WorkYearIn] = Field(max_length=60)
    training_cost_eur: Money | None = None
    purchase_date: (
        Annotated[date, Field(ge=date(FIRST_YEAR, 1, 1), le=date(2100, 12, 31))] | None
    ) = None
    jobseeker: bool = False
    employer_cofunding_eur: Money | None = None

    @field_validator("years")
    @classmethod
    def _one_entry_a_year(cls, years: list[WorkYearIn]) -> list[WorkYearIn]:
        seen = [y.year for y in years]
        if len(seen) != len(set(seen)):
            raise ValueError("each year at most once")
        return years


class AccrualOut(BaseModel):
    year: int
    amount_eur: float
    full_amount_eur: float
    work_ratio: float
    below_level_3: bool
    prorated: bool
    capped: bool


class SimulationOut(BaseModel):
    accruals: list[AccrualOut]
    projected_balance_eur: float
    cap_eur: float
    flat_participation_eur: float
    participation_exemption: str | None = Field(description="jobseeker | employer | not_yet")
    purchase_date: date
    remaining_cost_eur: float | None
    rules: dict[str, Any]


def accrual_rule_json(rule: AccrualRule) -> dict:
    return {
        "valid_from": rule.valid_from.isoformat(),
        "valid_to": rule.valid_to.isoformat() if rule.valid_to else None,
        "annual_eur": money(rule.annual_cents),
        "cap_eur": money(rule.cap_cents),
        "annual_below_level_3_eur": money(rule.annual_below_level_3_cents),
        "cap_below_level_3_eur": money(rule.cap_below_level_3_cents),
        "full_from_work_ratio": float(rule.full_ratio),
        "legal_basis": rule.legal_basis,
    }


def participation_rule_json(rule: ParticipationRule) -> dict:
    return {
        "valid_from": rule.valid_from.isoformat(),
        "valid_to": rule.valid_to.isoformat() if rule.valid_to else None,
        "amount_eur": money(rule.amount_cents),
        "legal_basis": rule.legal_basis,
    }


def simulation_json(result: simulator.Simulation) -> dict:
    return {
        "accruals": [
            {
                "year": a.year,
                "amount_eur": money(a.credited_cents),
                "full_amount_eur": money(a.annual_cents),
                "work_ratio": float(a.work_ratio),
                "below_level_3": a.below_level_3,
                "prorated": a.prorated,
                "capped": a.capped,
            }
            for a in result.accruals
        ],
        "projected_balance_eur": money(result.projected_cents),
        "cap_eur": money(result.cap_cents),
        "flat_participation_eur": money(result.participation_cents),
        "participation_exemption": result.exemption,
        "purchase_date": result.purchase_date.isoformat(),
        "remaining_cost_eur": (
            money(result.remaining_cents) if result.remaining_cents is not None else None
        ),
        "rules": {
            "accrual": [accrual_rule_json(r) for r in result.rules_used],
            "flat_participation": participation_rule_json(result.participation_rule),
        },
    }


@bp.post("/cpf/simulate")
@limiter.limit(SIMULATE_RATE)
@doc(
    "Simulate a CPF balance and the remaining cost of a training",
    body=SimulationIn,
    responses={200: SimulationOut, 400: None, 422: None, 429: None},
    auth=False,
)
def cpf_simulate():
    data = parse(SimulationIn)
    try:
        result = simulator.simulate(
            simulator.cents(data.balance_eur),
            data.as_of,
            [simulator.WorkYear(y.year, y.work_ratio, y.below_level_3) for y in data.years],
            training_cost_cents=(
                simulator.cents(data.training_cost_eur)
                if data.training_cost_eur is not None
                else None
            ),
            purchase_date=data.purchase_date,
            jobseeker=data.jobseeker,
            employer_cofunding_cents=simulator.cents(data.employer_cofunding_eur or 0),
        )
    except simulator.NoRule:  # the schema's bounds keep to the rules' periods: a safety net
        raise Problem(
            422,
            "Unprocessable Content",
            "No CPF rule covers these dates (before 2019 the account counted hours).",
            errors={"years": ["No rule for this period."]},
        ) from None
    return simulation_json(result)
