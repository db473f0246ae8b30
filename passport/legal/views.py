"""``/mentions-legales``, ``/donnees-personnelles``, ``/accessibilite``, ``/aide``.

Every page reads the operator's details from the configuration (``OPERATOR_*``, ``DPO_*``,
``SUPPORT_*``, ``HOSTING_*``, ``ACCESSIBILITY_*`` in ``config.py``); a missing value shows
as "not provided" rather than as an invented one.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, render_template

bp = Blueprint("legal", __name__)

#: The four pages, in the order of the footer.
PAGES = ("legal.notice", "legal.privacy", "legal.accessibility", "legal.help")
ACCESSIBILITY_STATUSES = ("none", "partial", "full")


def operator() -> dict:
    """The operator-specific values the pages show."""
    config = current_app.config
    names = [
        "OPERATOR_NAME",
        "OPERATOR_ADDRESS",
        "OPERATOR_EMAIL",
        "OPERATOR_PHONE",
        "OPERATOR_SIRET",
        "PUBLICATION_DIRECTOR",
        "HOSTING_PROVIDER",
        "HOSTING_ADDRESS",
        "DPO_EMAIL",
        "DPO_ADDRESS",
        "SUPPORT_EMAIL",
        "SUPPORT_PHONE",
        "SUPPORT_HOURS",
        "ACCESSIBILITY_RATE",
        "ACCESSIBILITY_AUDITOR",
    ]
    values = {name.lower(): (config.get(name) or "").strip() for name in names}
    status = config.get("ACCESSIBILITY_STATUS") or "none"
    values["accessibility_status"] = status if status in ACCESSIBILITY_STATUSES else "none"
    values["accessibility_audit_date"] = _date(config.get("ACCESSIBILITY_AUDIT_DATE"))
    values["accessibility_statement_date"] = _date(config.get("ACCESSIBILITY_STATEMENT_DATE"))
    years = round(int(config["RETENTION_PASSPORT_DAYS"]) / 365, 1)
    values["retention_years"] = int(years) if years == int(years) else str(years).replace(".", ",")
    values["access_log_days"] = int(config["RETENTION_ACCESS_LOG_DAYS"])
    return values


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.get("/mentions-legales")
def notice():
    """Publisher, director of publication, host."""
    return render_template("legal/notice.html", op=operator())


@bp.get("/donnees-personnelles")
def privacy():
    """Controller, DPO, purposes, legal basis, retention, rights, the CNIL."""
    return render_template("legal/privacy.html", op=operator())


@bp.get("/accessibilite")
def accessibility():
    """The accessibility statement (RGAA 4.1)."""
    return render_template("legal/accessibility.html", op=operator())


@bp.get("/aide", endpoint="help")
def help_page():
    """How to do the usual things, and whom to contact."""
    return render_template("legal/help.html", op=operator())


@bp.get("/aide/api", endpoint="api")
def api_page():
    """A French introduction to the partners' API, with the link to its OpenAPI document."""
    return render_template("legal/api.html", op=operator())


@bp.app_context_processor
def _footer() -> dict:
    """The footer states the accessibility status on every page (RGAA: "Accessibilité :
    non/partiellement/totalement conforme")."""

    def legal_accessibility_status() -> str:
        status = current_app.config.get("ACCESSIBILITY_STATUS") or "none"
        return status if status in ACCESSIBILITY_STATUSES else "none"

    return {"legal_accessibility_status": legal_accessibility_status}
