"""``/cpf/simulateur``: the CPF simulator for anyone, each step in plain French.

A GET form (it changes nothing, so a result can be bookmarked and works without
JavaScript). A logged-in holder finds it prefilled from their latest CPF statement and
profile (qualification, jobseeker).
"""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, render_template, request
from flask_babel import format_percent
from flask_login import current_user

from passport.cpf import simulator
from passport.cpf.forms import YEAR_ROWS, SimulatorForm
from passport.cpf.rules import ACCRUAL_RULES, PARTICIPATION_RULES
from passport.db import today_local
from passport.extensions import db
from passport.passports.models import CpfStatement, Passport
from passport.templating import euros

bp = Blueprint("cpf", __name__)


@bp.app_template_filter("cents")
def cents_filter(value: int | None) -> str:
    """Integer cents shown as euros, the visitor's way (exact: no float on the way)."""
    return euros(Decimal(value) / 100 if value is not None else None)


@bp.app_template_filter("percent")
def percent_filter(ratio: Decimal) -> str:
    """A work ratio (0..1) as a French percentage: 0.333333 -> "33,3333 %"."""
    return format_percent(ratio, format="#,##0.#### %")


def _holder_defaults() -> dict:
    """Values from the holder's passport: latest statement, qualification, situation."""
    if not current_user.is_authenticated or not current_user.is_holder:
        return {}
    passport = db.session.execute(
        db.select(Passport).where(Passport.holder_id == current_user.id)
    ).scalar_one_or_none()
    if passport is None:
        return {}
    current = db.session.execute(
        db.select(CpfStatement)
        .where(CpfStatement.passport_id == passport.id, CpfStatement.superseded.is_(False))
        .order_by(CpfStatement.as_of.desc(), CpfStatement.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    defaults: dict = {"jobseeker": passport.situation == "jobseeker"}
    if current is not None:
        defaults.update(balance_eur=current.balance, as_of=current.as_of, statement=current)
    defaults["below_level_3"] = passport.qualification_level == 0
    return defaults


@bp.get("/cpf/simulateur")
def simulator_page():
    """The simulator: the form, and the computation step by step once it is filled."""
    defaults = _holder_defaults()
    submitted = "balance_eur" in request.args
    form = SimulatorForm(request.args if submitted else None)
    if not submitted:
        form.as_of.data = defaults.get("as_of") or today_local()
        form.balance_eur.data = defaults.get("balance_eur")
        form.jobseeker.data = defaults.get("jobseeker", False)
        for row in form.years:
            row.form.below_level_3.data = defaults.get("below_level_3", False)
    result = None
    if submitted and form.validate():
        result = simulator.simulate(
            simulator.cents(form.balance_eur.data),
            form.as_of.data,
            [simulator.WorkYear(y, ratio, low) for y, ratio, low in form.work_years()],
            training_cost_cents=(
                simulator.cents(form.training_cost_eur.data)
                if form.training_cost_eur.data is not None
                else None
            ),
            purchase_date=form.purchase_date.data,
            jobseeker=bool(form.jobseeker.data),
            employer_cofunding_cents=simulator.cents(form.employer_cofunding_eur.data or 0),
        )
    status = 422 if submitted and form.errors else 200
    return render_template(
        "cpf/simulator.html",
        form=form,
        result=result,
        statement=defaults.get("statement"),
        year_rows=YEAR_ROWS,
        accrual_rules=ACCRUAL_RULES,
        participation_rules=PARTICIPATION_RULES,
    ), status
