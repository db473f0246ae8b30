"""GET /api/v1/indicators: the territory's aggregates, for coordinators (JSON or CSV)."""

from __future__ import annotations

from flask import Response, request

from passport.accounts.models import Role
from passport.api import bp
from passport.api.auth import require_roles
from passport.api.openapi import doc
from passport.db import today_local
from passport.errors import Problem
from passport.indicators import export, periods
from passport.indicators.services import indicators


def question_from(args) -> periods.Question:
    """The question asked by query arguments; 422 (problem details) on a bad filter."""
    try:
        return periods.question(
            args.get("from"),
            args.get("to"),
            args.get("department"),
            args.get("structure_type"),
            today_local(),
        )
    except periods.BadQuestion as error:
        raise Problem(
            422, "Unprocessable Content", "These filters cannot be answered.", errors=error.errors
        ) from None


def wants_csv() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    return best == "text/csv"


@bp.get("/indicators")
@require_roles(Role.COORDINATOR, Role.ADMIN)
@doc(
    "The barometer of needs and partnership indicators, protected (whole months, rounded "
    "down to 5, nothing under 5); Accept: text/csv for CSV",
    responses={200: None, 403: None, 422: None},
    query={
        "from": {"type": "string"},
        "to": {"type": "string"},
        "department": {"type": "string"},
        "structure_type": {"type": "string"},
    },
)
def get_indicators():
    answer = indicators(question_from(request.args))
    if wants_csv():
        return Response(
            export.to_csv(answer),
            mimetype="text/csv",
            headers={"Content-Disposition": 'attachment; filename="indicateurs.csv"'},
        )
    return answer
