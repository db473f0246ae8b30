"""Register, log in, log out, reset a forgotten password."""

from __future__ import annotations

from functools import wraps

from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from passport.accounts import services as accounts
from passport.accounts import sessions, throttle
from passport.accounts.forms import ForgotForm, LoginForm, RegisterForm, ResetForm
from passport.accounts.signin import complete_login, home_for
from passport.extensions import db, limiter
from passport.mail import send_mail
from passport.mfa import flow as second_factor
from passport.urls import external_url, safe_next

bp = Blueprint("accounts", __name__)


def private_page(view):
    """Answers of a page whose URL or content is a secret (a reset link): never cached,
    never sent as a Referer."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    return wrapper


@bp.route("/inscription", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register_individual(
                form.email.data, form.password.data, form.full_name.data
            )
        except accounts.EmailTaken:
            form.email.errors.append(
                _(
                    "Un compte existe déjà avec cette adresse. "
                    "Connectez-vous ou réinitialisez le mot de passe."
                )
            )
        else:
            complete_login(user)
            db.session.commit()
            flash(_("Bienvenue ! Votre passeport est prêt."), "success")
            return redirect(url_for("passports.overview"))
    return render_template("accounts/register.html", form=form)


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        email = accounts.normalize_email(form.email.data or "")
        device = throttle.device_of(email)
        throttle.check(email, device)  # 429 once this browser's budget for the account is spent
        user = accounts.authenticate(email, form.password.data)
        if user is not None:
            remember = bool(form.remember.data)
            # A second factor (or its enrolment) first: not logged in yet.
            target = second_factor.begin(user, remember=remember, next_url=form.next.data)
            if target is None:
                target = complete_login(user, remember=remember, next_url=form.next.data)
            db.session.commit()
            return redirect(target)
        throttle.failed(email, device)
        form.password.errors.append(_("Adresse e-mail ou mot de passe incorrect."))
        return render_template("accounts/login.html", form=form), 401
    return render_template("accounts/login.html", form=form)


@bp.post("/deconnexion")
@login_required
def logout():
    record = sessions.current_record(current_user)
    if record is not None:
        sessions.end_session(record)  # a copy of the cookie is refused from now on
        db.session.commit()
    logout_user()
    session.clear()  # grants to shared passports and pending links go with the session
    flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("main.home"))


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"])
@private_page
def forgot_password():
    form = ForgotForm()
    if form.validate_on_submit():
        user = accounts.get_user_by_email(form.email.data)
        if user is not None and user.active:
            token = accounts.make_reset_token(user)
            link = external_url("accounts.reset_password", token=token)
            send_mail(
                user.email,
                _("Passeport SPRO : choisir un nouveau mot de passe"),
                _(
                    "Bonjour %(name)s,\n\nPour choisir un nouveau mot de passe, ouvrez ce lien "
                    "(valable une heure, une seule fois) :\n%(link)s\n\nSi vous n'avez rien "
                    "demandé, ignorez ce message : votre mot de passe ne change pas.",
                    name=user.full_name,
                    link=link,
                ),
                key=f"password-reset:{user.id}:{token[-16:]}",
            )
            db.session.commit()  # the mail is queued; the worker sends it
        # Same answer whether the account exists or not.
        flash(
            _("Si un compte existe avec cette adresse, un e-mail vient de lui être envoyé."),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot.html", form=form)


@bp.route("/mot-de-passe/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
@private_page
def reset_password(token: str):
    user = accounts.user_for_reset_token(token)
    if user is None:
        return render_template("accounts/reset_invalid.html"), 410
    form = ResetForm()
    if form.validate_on_submit():
        accounts.change_password(user, form.password.data)
        db.session.commit()
        flash(_("Votre mot de passe a été changé. Connectez-vous."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def accept_invitation(token: str):
    """An invited staff member chooses their first password (the link then stops working)."""
    user = accounts.user_for_invitation_token(token)
    if user is None:
        return _no_store(render_template("accounts/invitation_invalid.html"), 410)
    form = ResetForm()
    if form.validate_on_submit():
        accounts.change_password(user, form.password.data)
        # A role that must have a second factor enrols it now (a pending login, as after a
        # password): the link proved the mailbox, the password was just chosen.
        target = second_factor.begin(user, remember=False, next_url=None)
        db.session.commit()
        if target is not None:
            flash(
                _(
                    "Votre mot de passe est enregistré. "
                    "Activez maintenant la double authentification."
                ),
                "success",
            )
            return redirect(target)
        flash(_("Votre mot de passe est enregistré. Connectez-vous."), "success")
        return redirect(url_for("accounts.login"))
    return _no_store(render_template("accounts/invitation.html", form=form, user=user))


def _no_store(html: str, status: int = 200):
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
