"""The coordinator's dashboard: ``/indicateurs`` (charts and tables) and its CSV.

Coordinators and admins only. The filters travel in the URL (a GET form, so a view can be
bookmarked or shared, and it changes nothing: no CSRF token is needed or put in the URL).
The page and the CSV show the figures of ``services.indicators`` and nothing else: every
derived figure (rates, the three most frequent needs) comes from published figures.
"""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from passport import labels
from passport.db import today_local
from passport.indicators import charts, export, periods
from passport.indicators.services import indicators

bp = Blueprint("indicators", __name__)

ROLES = {"coordinator", "admin"}
CEP_LABELS = {"cep": _l("Opérateurs CEP"), "other": _l("Autres structures")}


def coordinator_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_user.role not in ROLES:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _question():
    """The question of the URL, or ``(None, errors in French by field)``."""
    try:
        return (
            periods.question(
                request.args.get("from"),
                request.args.get("to"),
                request.args.get("department"),
                request.args.get("structure_type"),
                today_local(),
            ),
            {},
        )
    except periods.BadQuestion as error:
        messages = {
            "from": _("Indiquez un mois de début valide, avant le mois de fin (36 mois au plus)."),
            "to": _("Indiquez un mois de fin valide, par exemple 2026-06."),
            "department": _("Indiquez un numéro de département, par exemple 28 ou 2A."),
            "structure_type": _("Choisissez un type de structure de la liste."),
        }
        return None, {field: messages[field] for field in error.errors}


@bp.get("/indicateurs")
@coordinator_required
def dashboard():
    q, errors = _question()
    if q is None:
        return render_template(
            "indicators/dashboard.html",
            errors=errors,
            answer=None,
            structure_type_names=labels.STRUCTURE_TYPE_NAMES,
        ), 400
    answer = indicators(q)
    return render_template(
        "indicators/dashboard.html",
        errors={},
        answer=answer,
        period_start=q.start,
        period_end=q.end,
        structure_type_names=labels.STRUCTURE_TYPE_NAMES,
        **_figures(answer),
    )


@bp.get("/indicateurs.csv")
@coordinator_required
def csv():
    q, errors = _question()
    if q is None:
        abort(400)
    answer = indicators(q)
    name = f"indicateurs-{answer['from'][:7]}-{answer['to'][:7]}.csv"
    return Response(
        export.to_csv(answer),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _figures(answer: dict) -> dict:
    """Charts and derived figures, all from the published answer."""
    r, f = answer["receptions"], answer["referrals"]
    needs = sorted(
        ((code, n) for code, n in r["by_need"].items() if n is not None),
        key=lambda item: (-item[1], item[0]),
    )
    cep = {key: str(label) for key, label in CEP_LABELS.items()}
    types = labels.STRUCTURE_TYPE_NAMES
    return {
        "top_needs": needs[:3],
        "cep_labels": cep,
        "charts": {
            "needs": charts.bar_chart(
                "needs",
                _("Besoins exprimés lors des premiers accueils"),
                [(labels.NEEDS[c], n) for c, n in r["by_need"].items()],
            ),
            "months": charts.bar_chart(
                "months",
                _("Premiers accueils par mois"),
                [(m["month"], m["total"]) for m in r["by_month"]],
            ),
            "channels": charts.bar_chart(
                "channels",
                _("Premiers accueils par canal"),
                [(labels.CHANNELS[c], n) for c, n in r["by_channel"].items()],
            ),
            "situations": charts.bar_chart(
                "situations",
                _("Premiers accueils par situation"),
                [(labels.SITUATIONS[c], n) for c, n in r["by_situation"].items()],
            ),
            "types": charts.bar_chart(
                "types",
                _("Premiers accueils par type de structure"),
                [(types.get(c, c), n) for c, n in r["by_structure_type"].items()],
            ),
            "statuses": charts.bar_chart(
                "statuses",
                _("Orientations par statut"),
                [(labels.REFERRAL_STATUSES[s], n) for s, n in f["by_status"].items()],
            ),
            "reasons": charts.bar_chart(
                "reasons",
                _("Orientations déclinées, par motif"),
                [(labels.DECLINE_REASONS[r], n) for r, n in f["by_reason"].items()],
            ),
            "cep_receptions": charts.bar_chart(
                "cep-receptions",
                _("Premiers accueils : opérateurs CEP et autres structures"),
                [(cep[k], n) for k, n in r["by_cep_operator"].items()],
            ),
            "cep_referrals": charts.bar_chart(
                "cep-referrals",
                _("Orientations envoyées : opérateurs CEP et autres structures"),
                [(cep[k], group["total"]) for k, group in f["by_cep_operator"].items()],
            ),
        },
    }
