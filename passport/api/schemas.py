"""Request schemas (pydantic) and the one place that turns bad input into a 400 or 422."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, TypeVar

from flask import request
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from passport.db import today_local
from passport.errors import Problem
from passport.passports.models import TrainingStatus

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]

M = TypeVar("M", bound=BaseModel)


def _json_number(value):
    """Money and hours are JSON numbers: refuse strings and booleans, keep decimals exact."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("must be a number")
    return Decimal(str(value))


Number = BeforeValidator(_json_number)


class Schema(BaseModel):
    """Strict types (a string is not a number), unknown fields refused."""

    model_config = ConfigDict(strict=True, extra="forbid")


class AccountIn(Schema):
    email: EmailStr = Field(max_length=254)
    password: str = Field(min_length=12, max_length=1024)
    full_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ]


class TokenIn(Schema):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)
    otp: str | None = Field(default=None, max_length=64)


class TotpConfirmIn(Schema):
    code: str = Field(max_length=64)


class TrainingIn(Schema):
    title: Text
    provider: Text | None = None
    start_date: date | None = None
    end_date: date | None = None
    status: TrainingStatus
    hours: (
        Annotated[
            Decimal,
            Number,
            Field(ge=0, le=100000, decimal_places=2),
            WithJsonSchema({"type": "number", "minimum": 0, "maximum": 100000, "multipleOf": 0.01}),
        ]
        | None
    ) = None
    certification_code: (
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, pattern=r"^(RNCP|RS)?\d{1,8}$", max_length=32),
        ]
        | None
    ) = None
    funding: Text | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> TrainingIn:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


class CpfIn(Schema):
    as_of: date
    balance_eur: Annotated[
        Decimal,
        Number,
        Field(ge=0, le=1_000_000, decimal_places=2),
        WithJsonSchema({"type": "number", "minimum": 0, "maximum": 1000000, "multipleOf": 0.01}),
    ]
    dif_hours: Annotated[int, Field(ge=0, le=10_000)] | None = None

    @field_validator("as_of")
    @classmethod
    def _not_in_the_future(cls, value: date) -> date:
        # One day of slack for a statement read abroad, ahead of French time.
        if value > today_local() + timedelta(days=1):
            raise ValueError("a statement cannot be dated in the future")
        return value


def _field_errors(exc: ValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error in exc.errors():
        name = ".".join(str(part) for part in error["loc"]) or "body"
        errors.setdefault(name, []).append(error["msg"])
    return errors


def parse(model: type[M]) -> M:
    """Validate the request body against ``model``; 400 on malformed JSON, 422 otherwise."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise Problem(400, "Bad Request", "The request body must be a JSON object.")
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        kinds = {e["type"] for e in exc.errors()}
        if "json_invalid" in kinds:
            raise Problem(400, "Bad Request", "The request body is not valid JSON.") from None
        raise Problem(
            422,
            "Unprocessable Content",
            "Some fields are missing or invalid.",
            errors=_field_errors(exc),
        ) from None
