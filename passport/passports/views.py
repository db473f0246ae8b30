"""The holder's passport in the browser: timeline, sections, trainings, CPF, profile."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from passport.extensions import db
from passport.forms import ONCE_FIELD, issue_once, spend_once
from passport.passports import services as passports
from passport.passports.forms import CorrectionRequestForm, CpfForm, ProfileForm, TrainingForm
from passport.records import requests as correction_requests
from passport.records import services as records

bp = Blueprint("passports", __name__, url_prefix="/passeport")


def holder_required(view):
    """Logged in as a holder; staff have no passport of their own here."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_holder:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _passport():
    return passports.passport_of(current_user)


@bp.get("/")
@holder_required
def overview():
    """The whole passport as a timeline, with the CPF card."""
    view = passports.load_view(_passport())
    return render_template("passports/overview.html", view=view)


@bp.get("/accueils")
@holder_required
def receptions():
    view = passports.load_view(_passport(), ("receptions",))
    return render_template("passports/receptions.html", view=view)


@bp.get("/orientations")
@holder_required
def referrals():
    view = passports.load_view(_passport(), ("referrals",))
    return render_template("passports/referrals.html", view=view)


@bp.get("/orientations/<int:referral_id>/rendez-vous.ics")
@holder_required
def appointment_ics(referral_id: int):
    """The appointment of one of the holder's referrals, for their calendar."""
    from passport.notifications import calendar

    referral = calendar.holder_appointment(_passport().id, referral_id)
    if referral is None:
        abort(404)
    return calendar.ics_response(referral)


@bp.get("/formations")
@holder_required
def trainings():
    view = passports.load_view(_passport(), ("trainings",))
    return render_template("passports/trainings.html", view=view)


@bp.route("/formations/ajouter", methods=["GET", "POST"])
@holder_required
def add_training():
    form = TrainingForm()
    if form.validate_on_submit():
        if spend_once(request.form.get(ONCE_FIELD)):
            records.declare_training(_passport(), **form.values())
            db.session.commit()
            flash(_("Formation ajoutée à votre passeport."), "success")
        return redirect(url_for("passports.trainings"))
    return render_template(
        "passports/training_form.html", form=form, training=None, once=issue_once()
    )


@bp.route("/formations/<int:training_id>/modifier", methods=["GET", "POST"])
@holder_required
def edit_training(training_id: int):
    passport = _passport()
    try:
        training = records.get_training(passport, training_id)
    except records.RecordNotFound:
        abort(404)
    if training.is_attested or training.superseded:
        abort(403)
    form = TrainingForm(obj=training)
    if form.validate_on_submit():
        try:
            records.edit_training(passport, training.id, **form.values())
        except records.NotEditable:  # another tab edited it first
            db.session.rollback()
            flash(
                _("Cette formation vient d'être modifiée ailleurs : voici sa dernière version."),
                "warning",
            )
            return redirect(url_for("passports.trainings"))
        db.session.commit()
        flash(_("Formation mise à jour."), "success")
        return redirect(url_for("passports.trainings"))
    return render_template("passports/training_form.html", form=form, training=training)


@bp.route("/cpf", methods=["GET", "POST"])
@holder_required
def cpf():
    """The CPF card: current balance, history, and a form for a new statement."""
    passport = _passport()
    form = CpfForm()
    if form.validate_on_submit():
        if spend_once(request.form.get(ONCE_FIELD)):  # a second send adds nothing
            records.declare_cpf(
                passport, form.as_of.data, form.balance_eur.data, form.dif_hours.data
            )
            db.session.commit()
            flash(_("Relevé CPF enregistré."), "success")
        return redirect(url_for("passports.cpf"))
    view = passports.load_view(passport, ("cpf",))
    return render_template("passports/cpf.html", view=view, form=form, once=issue_once())


@bp.route("/cpf/<int:statement_id>/modifier", methods=["GET", "POST"])
@holder_required
def edit_cpf(statement_id: int):
    passport = _passport()
    try:
        statement = records.get_cpf(passport, statement_id)
    except records.RecordNotFound:
        abort(404)
    if statement.is_attested or statement.superseded:
        abort(403)
    form = CpfForm(obj=statement, balance_eur=statement.balance)
    if form.validate_on_submit():
        balance = form.balance_eur.data
        assert balance is not None  # nosec B101  # type narrowing; InputRequired validated it
        try:
            records.edit_cpf(passport, statement.id, form.as_of.data, balance, form.dif_hours.data)
        except records.NotEditable:  # another tab corrected it first
            db.session.rollback()
            flash(
                _("Ce relevé vient d'être corrigé ailleurs : voici sa dernière version."), "warning"
            )
            return redirect(url_for("passports.cpf"))
        db.session.commit()
        flash(_("Relevé CPF corrigé."), "success")
        return redirect(url_for("passports.cpf"))
    return render_template("passports/cpf_form.html", form=form, statement=statement)


@bp.route("/corrections/<kind>/<int:record_id>", methods=["GET", "POST"])
@holder_required
def request_correction(kind: str, record_id: int):
    """Ask the structure that wrote a record to correct it (right to rectification)."""
    from passport.notifications.corrections import correction_requested

    passport = _passport()
    try:
        record = records.find_correctable(passport.id, record_id, kind=kind)
    except records.RecordNotFound:
        abort(404)
    if record.issuer_structure is None:  # what the holder declared, they edit themselves
        abort(404)
    form = CorrectionRequestForm()
    if form.validate_on_submit():
        if spend_once(request.form.get(ONCE_FIELD)):
            try:
                filed = correction_requests.request_correction(passport, record, form.message.data)
            except records.AlreadyCorrected:
                db.session.rollback()
                flash(_("Cet enregistrement a déjà été retiré par la structure."), "info")
                return redirect(url_for("passports.overview"))
            correction_requested(filed)
            db.session.commit()
            flash(
                _(
                    "Votre demande a été envoyée à %(s)s. Sa correction apparaîtra dans votre "
                    "passeport.",
                    s=record.issuer_structure.name,
                ),
                "success",
            )
        return redirect(url_for("passports.overview"))
    earlier = correction_requests.requests_about(passport, record)
    return render_template(
        "passports/correction_request.html",
        form=form,
        record=record,
        earlier=earlier,
        once=issue_once(),
    ), (422 if form.errors else 200)


@bp.route("/profil", methods=["GET", "POST"])
@holder_required
def profile():
    passport = _passport()
    form = ProfileForm(
        obj=passport,
        qualification_level=(
            str(passport.qualification_level) if passport.qualification_level is not None else ""
        ),
    )
    if form.validate_on_submit():
        level = form.qualification_level.data
        passports.update_profile(
            passport,
            birth_year=form.birth_year.data,
            department=form.department.data,
            situation=form.situation.data or None,
            qualification_level=int(level) if level else None,
        )
        db.session.commit()
        flash(_("Profil enregistré."), "success")
        return redirect(url_for("passports.profile"))
    return render_template("passports/profile.html", form=form, passport=passport)
