"""Web pages of the second factor: the code step of a login, enrolment, account security."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from passport.accounts import throttle
from passport.accounts.signin import complete_login, home_for
from passport.extensions import db, limiter
from passport.mfa import flow
from passport.mfa import services as mfa
from passport.mfa.forms import LoginCodeForm, TotpCodeForm
from passport.sharing.qr import qr_data_uri

bp = Blueprint("mfa", __name__)

#: Pages open to a logged-in user who must enrol a second factor and has none yet.
ENROLMENT_ENDPOINTS = frozenset({"static", "accounts.logout", "main.set_language", "main.healthz"})


@bp.before_app_request
def _enrolment_first():
    """A logged-in account whose role needs a second factor and has none can only enrol."""
    if not current_user.is_authenticated or request.path.startswith("/api/"):
        return None
    endpoint = request.endpoint or ""
    if endpoint.startswith("mfa.") or endpoint in ENROLMENT_ENDPOINTS:
        return None
    if mfa.mfa_required(current_user) and not mfa.has_mfa(current_user):
        return redirect(url_for("mfa.totp_setup"))
    return None


def _expired():
    flash(_("Votre connexion a expiré. Saisissez à nouveau votre mot de passe."), "info")
    return redirect(url_for("accounts.login"))


# -- at login -------------------------------------------------------------------------------


@bp.route("/connexion/verification", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def verify():
    """Second step of a login: a TOTP code or a recovery code."""
    found = flow.pending()
    if found is None or found[1].get("enrol"):
        return _expired()
    user, _state = found
    form = LoginCodeForm()
    if form.validate_on_submit():
        device = throttle.device_of(user.email)
        throttle.check(user.email, device)
        code = form.code.data or ""
        if mfa.check_code(user, code):
            remember, next_url = flow.finish()
            target = complete_login(user, remember, next_url)
            db.session.commit()
            if not code.strip().isdigit():
                flash(
                    _(
                        "Vous avez utilisé un code de secours. Il vous en reste %(n)d.",
                        n=mfa.recovery_codes_left(user),
                    ),
                    "warning",
                )
            return redirect(target)
        throttle.failed(user.email, device)
        left = flow.count_wrong_code()
        if left == 0:
            flash(_("Trop de codes erronés. Saisissez à nouveau votre mot de passe."), "error")
            return redirect(url_for("accounts.login"))
        form.code.errors.append(
            _("Ce code n'est pas valide ou a déjà servi. Essais restants : %(n)d.", n=left)
        )
        return render_template("mfa/verify.html", form=form, user=user), 401
    return render_template("mfa/verify.html", form=form, user=user)


@bp.route("/connexion/activation", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def enrol_at_login():
    """A role that needs a second factor and has none: enrol it before anything else."""
    found = flow.pending()
    if found is None or not found[1].get("enrol"):
        return _expired()
    user, _state = found
    form = TotpCodeForm()
    if form.validate_on_submit():
        try:
            codes = mfa.confirm_totp(user, form.code.data or "")
        except mfa.MfaError:
            form.code.errors.append(_("Ce code n'est pas valide. Saisissez le code affiché."))
        else:
            remember, next_url = flow.finish()
            target = complete_login(user, remember, next_url)
            db.session.commit()
            return render_template("mfa/recovery_codes.html", codes=codes, next_url=target)
    secret, uri = mfa.pending_totp(user)
    db.session.commit()
    status = 422 if form.errors else 200
    return render_template(
        "mfa/enrol.html", form=form, secret=secret, qr=qr_data_uri(uri), at_login=True
    ), status


# -- account security -----------------------------------------------------------------------


@bp.get("/compte/securite")
@login_required
def settings():
    """The account's second factors: TOTP, recovery codes, passkeys."""
    return render_template(
        "mfa/settings.html",
        has_totp=mfa.has_totp(current_user),
        codes_left=mfa.recovery_codes_left(current_user),
        passkeys=mfa.passkeys_of(current_user),
        required=mfa.mfa_required(current_user),
    )


@bp.route("/compte/securite/totp", methods=["GET", "POST"])
@login_required
@limiter.limit("20 per minute", methods=["POST"])
def totp_setup():
    """Enrol an authenticator app: QR code and secret, then a code to confirm."""
    if mfa.has_totp(current_user):
        return redirect(url_for("mfa.settings"))
    form = TotpCodeForm()
    if form.validate_on_submit():
        try:
            codes = mfa.confirm_totp(current_user, form.code.data or "")
        except mfa.MfaError:
            form.code.errors.append(_("Ce code n'est pas valide. Saisissez le code affiché."))
        else:
            db.session.commit()
            return render_template(
                "mfa/recovery_codes.html", codes=codes, next_url=home_for(current_user)
            )
    secret, uri = mfa.pending_totp(current_user)
    db.session.commit()
    status = 422 if form.errors else 200
    return render_template(
        "mfa/enrol.html", form=form, secret=secret, qr=qr_data_uri(uri), at_login=False
    ), status


def _removal_allowed() -> bool:
    """A role that must have a second factor keeps one: TOTP goes only if a passkey stays."""
    return not mfa.mfa_required(current_user) or bool(mfa.passkeys_of(current_user))


@bp.route("/compte/securite/totp/supprimer", methods=["GET", "POST"])
@login_required
@limiter.limit("20 per minute", methods=["POST"])
def totp_remove():
    """Remove the authenticator app (confirmed by a current code)."""
    if not mfa.has_totp(current_user):
        return redirect(url_for("mfa.settings"))
    if not _removal_allowed():
        flash(
            _("Votre rôle exige une double authentification : ajoutez d'abord une clé d'accès."),
            "error",
        )
        return redirect(url_for("mfa.settings"))
    form = TotpCodeForm()
    if form.validate_on_submit():
        if mfa.check_code(current_user, form.code.data):
            mfa.remove_totp(current_user)
            db.session.commit()
            flash(_("L'application d'authentification est retirée de votre compte."), "success")
            return redirect(url_for("mfa.settings"))
        form.code.errors.append(_("Ce code n'est pas valide ou a déjà servi."))
    return render_template(
        "mfa/confirm.html",
        form=form,
        title=_("Retirer l'application d'authentification"),
        warning=_(
            "Votre compte ne demandera plus de code à la connexion. "
            "Vos codes de secours seront supprimés."
        ),
        button=_("Retirer l'application"),
        danger=True,
    ), (422 if form.errors else 200)


@bp.route("/compte/securite/codes-de-secours", methods=["GET", "POST"])
@login_required
@limiter.limit("20 per minute", methods=["POST"])
def recovery_codes_renew():
    """New recovery codes (the old ones stop working), confirmed by a current code."""
    if not mfa.has_totp(current_user):
        return redirect(url_for("mfa.settings"))
    form = TotpCodeForm()
    if form.validate_on_submit():
        if mfa.check_code(current_user, form.code.data):
            codes = mfa.new_recovery_codes(current_user)
            db.session.commit()
            return render_template(
                "mfa/recovery_codes.html", codes=codes, next_url=url_for("mfa.settings")
            )
        form.code.errors.append(_("Ce code n'est pas valide ou a déjà servi."))
    return render_template(
        "mfa/confirm.html",
        form=form,
        title=_("Générer de nouveaux codes de secours"),
        warning=_("Vos codes de secours actuels ne fonctionneront plus."),
        button=_("Générer de nouveaux codes"),
        danger=False,
    ), (422 if form.errors else 200)
