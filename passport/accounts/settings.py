"""The account page of every user (``/compte``): who they are, their open sessions.

- ``GET /compte``: the account, its open sessions and devices.
- ``/compte/sessions/<id>/fin``: end one session (confirmation, then POST).
- ``/compte/deconnexion-partout``: end every session, this one included (confirmation).
- ``/compte/mot-de-passe``: change the password (the current one first); the other sessions
  end and the API tokens are revoked.
- ``/compte/adresse``: ask for a new email address; ``/compte/adresse/<token>`` (the link
  mailed to the new address, no login needed) makes the change, and the old address is told.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from passport.accounts import services as accounts
from passport.accounts import sessions
from passport.accounts.forms import ChangeEmailForm, ChangePasswordForm
from passport.extensions import db, limiter
from passport.mail import send_mail
from passport.structures.forms import ConfirmForm
from passport.urls import external_url

bp = Blueprint("account", __name__, url_prefix="/compte")


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.after_request
def _private(response):
    return _no_store(response)


@bp.get("/")
@login_required
def index():
    return render_template(
        "account/index.html",
        sessions=sessions.active_sessions(current_user),
        current_id=sessions.current_session_id(),
        form=ConfirmForm(),
    )


@bp.route("/sessions/<int:session_id>/fin", methods=["GET", "POST"])
@login_required
def end_session(session_id: int):
    record = sessions.get_session(current_user, session_id)
    if record is None or record.ended_at is not None:
        abort(404)
    is_current = record.id == sessions.current_session_id()
    form = ConfirmForm()
    if form.validate_on_submit():
        sessions.end_session(record)
        db.session.commit()
        if is_current:
            logout_user()
            session.clear()
            flash(_("Vous êtes déconnecté."), "info")
            return redirect(url_for("accounts.login"))
        flash(_("Cette session est terminée : l'appareil devra se reconnecter."), "success")
        return redirect(url_for("account.index"))
    return render_template(
        "account/end_session.html", record=record, is_current=is_current, form=form
    )


@bp.route("/deconnexion-partout", methods=["GET", "POST"])
@login_required
def end_all():
    form = ConfirmForm()
    if form.validate_on_submit():
        sessions.end_sessions(current_user)
        db.session.commit()
        logout_user()
        session.clear()
        flash(_("Toutes vos sessions sont terminées, sur tous les appareils."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("account/end_all.html", form=form)


@bp.route("/mot-de-passe", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per minute", methods=["POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not accounts.check_password(current_user, form.current_password.data):
            form.current_password.errors.append(_("Ce mot de passe n'est pas le bon."))
        else:
            keep = sessions.current_record(current_user)
            accounts.change_password(current_user, form.password.data, keep=keep)
            db.session.commit()
            flash(
                _("Votre mot de passe est changé. Vos autres sessions sont terminées."),
                "success",
            )
            return redirect(url_for("account.index"))
    return render_template("account/password.html", form=form)


@bp.route("/adresse", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per minute", methods=["POST"])
def change_email():
    form = ChangeEmailForm()
    if form.validate_on_submit():
        new_email = accounts.normalize_email(form.email.data)
        if not accounts.check_password(current_user, form.password.data):
            form.password.errors.append(_("Ce mot de passe n'est pas le bon."))
        elif new_email == current_user.email:
            form.email.errors.append(_("C'est déjà votre adresse."))
        elif accounts.get_user_by_email(new_email) is not None:
            form.email.errors.append(_("Un compte existe déjà avec cette adresse."))
        else:
            token = accounts.make_email_change_token(current_user, new_email)
            link = external_url("account.confirm_email", token=token)
            send_mail(
                new_email,
                _("Passeport SPRO : confirmez votre nouvelle adresse"),
                _(
                    "Bonjour %(name)s,\n\nPour que cette adresse devienne celle de votre "
                    "compte Passeport SPRO, ouvrez ce lien (valable 24 heures) :\n%(link)s\n\n"
                    "Si vous n'avez rien demandé, ignorez ce message.",
                    name=current_user.full_name,
                    link=link,
                ),
            )
            db.session.commit()  # the queued mail
            flash(
                _(
                    "Un lien de confirmation est envoyé à %(e)s. Votre adresse change quand "
                    "vous l'ouvrez.",
                    e=new_email,
                ),
                "info",
            )
            return redirect(url_for("account.index"))
    return render_template("account/email.html", form=form)


@bp.get("/adresse/<token>")
@limiter.limit("20 per minute")
def confirm_email(token: str):
    """The link of the confirmation mail: the address changes, the old one is told."""
    try:
        change = accounts.apply_email_change(token)
    except accounts.EmailTaken:
        db.session.rollback()
        return render_template("account/email_invalid.html", taken=True), 409
    if change is None:
        return render_template("account/email_invalid.html", taken=False), 410
    user, old_email = change
    send_mail(
        old_email,
        _("Passeport SPRO : votre adresse a changé"),
        _(
            "Bonjour %(name)s,\n\nL'adresse de votre compte Passeport SPRO est désormais "
            "%(email)s. Si vous n'êtes pas à l'origine de ce changement, contactez "
            "l'assistance au plus vite.",
            name=user.full_name,
            email=user.email,
        ),
    )
    db.session.commit()
    flash(_("Votre adresse est changée : %(e)s.", e=user.email), "success")
    if current_user.is_authenticated:
        return redirect(url_for("account.index"))
    return redirect(url_for("accounts.login"))
