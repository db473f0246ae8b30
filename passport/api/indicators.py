"""GET /api/v1/indicators: the territory's aggregates, for coordinators."""

from __future__ import annotations

from datetime import date, timedelta

from flask import request

from passport.accounts.models import Role
from passport.api import bp
from passport.api.auth import require_roles
from passport.api.openapi import doc
from passport.db import today_local
from passport.errors import Problem
from passport.indicators import services as indicators

MAX_DAYS = 3 * 366


def _date_arg(name: str, default: date) -> date:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Problem(
            422,
            "Unprocessable Content",
            "Dates look like 2026-05-20.",
            errors={name: ["must be a date (YYYY-MM-DD)"]},
        ) from None


@bp.get("/indicators")
@require_roles(Role.COORDINATOR, Role.ADMIN)
@doc(
    "The barometer of needs and partnership indicators (no count under 5 is shown)",
    responses={200: None, 403: None, 422: None},
    query={
        "from": {"type": "string", "format": "date"},
        "to": {"type": "string", "format": "date"},
    },
)
def get_indicators():
    end = _date_arg("to", today_local())
    start = _date_arg("from", end - timedelta(days=364))
    if start > end:
        raise Problem(
            422, "Unprocessable Content", "from is after to.", errors={"from": ["after to"]}
        )
    if (end - start).days > MAX_DAYS:
        raise Problem(
            422,
            "Unprocessable Content",
            "At most three years at once.",
            errors={"from": ["period longer than three years"]},
        )
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "k_anonymity": indicators.K_ANONYMITY,
        "receptions": indicators.barometer(start, end),
        "referrals": indicators.partnerships(start, end),
    }
