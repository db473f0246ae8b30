"""The mail settings page (``/compte/e-mails``) and the in-app notices of a user."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField

from passport.extensions import db
from passport.notifications import preferences as prefs

bp = Blueprint("notifications", __name__)

LABELS = {
    "visits": (
        _l("Quand une structure consulte mon passeport ou y écrit"),
        _l("Un seul e-mail par visite, qui dit ce qui a été vu ou ajouté."),
    ),
    "appointments": (
        _l("Quand un rendez-vous est fixé pour une de mes orientations"),
        _l("Avec la date, le lieu et le contact, et le fichier pour votre agenda."),
    ),
    "reminders": (
        _l("Avant qu'un partage expire, et avant l'effacement de mon passeport inactif"),
        _l(
            "Votre passeport est effacé après deux ans sans activité : "
            "nous vous prévenons 30 jours avant."
        ),
    ),
    "referrals": (
        _l("Les orientations reçues par ma structure et les suites de celles que j'envoie"),
        _l(
            "Quand votre structure a une adresse pour les orientations, "
            "c'est elle qui reçoit les nouvelles fiches."
        ),
    ),
}


class PreferencesForm(FlaskForm):
    visits = BooleanField(LABELS["visits"][0], description=LABELS["visits"][1])
    appointments = BooleanField(LABELS["appointments"][0], description=LABELS["appointments"][1])
    reminders = BooleanField(LABELS["reminders"][0], description=LABELS["reminders"][1])
    referrals = BooleanField(LABELS["referrals"][0], description=LABELS["referrals"][1])


@bp.route("/compte/e-mails", methods=["GET", "POST"])
@login_required
def preferences():
    """Which mails the user wants (all on until turned off)."""
    kinds = prefs.kinds_for(current_user)
    stored = prefs.preferences_of(current_user)
    form = PreferencesForm(data={kind: getattr(stored, kind) for kind in kinds})
    if form.validate_on_submit():
        prefs.save_preferences(current_user, **{k: getattr(form, k).data for k in kinds})
        db.session.commit()
        flash(_("Vos choix d'e-mails sont enregistrés."), "success")
        return redirect(url_for("notifications.preferences"))
    return render_template(
        "notifications/preferences.html", form=form, fields=[getattr(form, k) for k in kinds]
    )
