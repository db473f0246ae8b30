"""The account page of every user (``/compte``): who they are, their open sessions.

- ``GET /compte``: the account, its open sessions and devices.
- ``/compte/sessions/<id>/fin``: end one session (confirmation, then POST).
- ``/compte/deconnexion-partout``: end every session, this one included (confirmation).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from passport.accounts import sessions
from passport.extensions import db
from passport.structures.forms import ConfirmForm

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
