"""Web pages of the second factor: the code or passkey step of a login, enrolment (TOTP or a
passkey), account security (passkeys listed, added, renamed, deleted).

A WebAuthn ceremony is a plain form: the page carries the options (with a challenge stored
server-side, ``passkeys``) in a ``data-`` attribute; ``static/passkeys.js`` asks the browser,
puts its answer in a hidden field and submits. Without JavaScript or WebAuthn the page says
so and offers the authenticator app instead. A refused answer is a 400 (409 for a passkey
already registered), never a 500; its challenge is spent all the same.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from passport.accounts import throttle
from passport.accounts.signin import complete_login, home_for
from passport.extensions import db, limiter
from passport.mfa import flow, passkeys
from passport.mfa import services as mfa
from passport.mfa.forms import (
    ConfirmForm,
    LoginCodeForm,
    PasskeyAddForm,
    PasskeyLoginForm,
    PasskeyNameForm,
    TotpCodeForm,
)
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


def _passkey_error(error: passkeys.PasskeyError) -> str:
    """What to tell the person about a refused passkey answer."""
    if error.reason == "duplicate":
        return _("Cette clé d'accès est déjà enregistrée sur votre compte.")
    if error.reason == "expired":
        return _("La demande a expiré ou a déjà servi. Recommencez.")
    if error.reason == "unknown":
        return _("Cette clé d'accès n'est pas associée à votre compte.")
    return _(
        "Votre navigateur n'a pas fourni de clé d'accès valide. Recommencez, ou utilisez "
        "votre application d'authentification."
    )


def _verify_page(user, form=None, status: int = 200, passkey_error: str | None = None):
    """The second step of a login: the code form, and the passkey button if it has some."""
    options = passkeys.authentication_options(user)
    db.session.commit()  # the new challenge (and any spent one)
    return render_template(
        "mfa/verify.html",
        form=form or LoginCodeForm(),
        passkey_login_form=PasskeyLoginForm(),
        passkey_options=options,
        passkey_error=passkey_error,
        has_totp=mfa.has_totp(user),
        user=user,
    ), status


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
        return _verify_page(user, form, 401)
    return _verify_page(user, form)


@bp.post("/connexion/verification/cle")
@limiter.limit("20 per minute")
def verify_passkey():
    """Second step of a login with a passkey (the answer to the verification page's options)."""
    found = flow.pending()
    if found is None or found[1].get("enrol"):
        return _expired()
    user, _state = found
    form = PasskeyLoginForm()
    if not form.validate_on_submit():
        return _verify_page(user, status=400, passkey_error=_("Recommencez."))
    device = throttle.device_of(user.email)
    throttle.check(user.email, device)
    try:
        passkeys.authenticate(user, form.credential.data)
    except passkeys.PasskeyError as error:
        throttle.failed(user.email, device)
        left = flow.count_wrong_code()
        if left == 0:
            db.session.commit()  # the spent challenge stays spent
            flash(_("Trop d'essais erronés. Saisissez à nouveau votre mot de passe."), "error")
            return redirect(url_for("accounts.login"))
        return _verify_page(user, status=400, passkey_error=_passkey_error(error))
    remember, next_url = flow.finish()
    target = complete_login(user, remember, next_url)
    db.session.commit()
    return redirect(target)


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


def _passkey_add_page(user, form, *, at_login: bool, status: int = 200, error: str | None = None):
    """The page that registers a passkey (new options and challenge each time)."""
    options = passkeys.registration_options(user)
    db.session.commit()  # the new challenge (and any spent one)
    return render_template(
        "mfa/passkey_add.html",
        form=form,
        options=options,
        error=error,
        at_login=at_login,
        action=url_for("mfa.enrol_passkey_at_login" if at_login else "mfa.passkey_add"),
    ), status


def _register(user, form) -> tuple[list[str] | None, str | None, int]:
    """Register the form's passkey: (recovery codes or None on failure, error, status)."""
    try:
        _passkey, codes = passkeys.register(user, form.credential.data, form.name.data or "")
    except passkeys.PasskeyError as error:
        return None, _passkey_error(error), 409 if error.reason == "duplicate" else 400
    return codes, None, 200


@bp.route("/connexion/activation/cle", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def enrol_passkey_at_login():
    """A role that needs a second factor and has none: a passkey instead of an app."""
    found = flow.pending()
    if found is None or not found[1].get("enrol"):
        return _expired()
    user, _state = found
    form = PasskeyAddForm()
    if not form.is_submitted():
        form.name.data = _("Clé d'accès")
        return _passkey_add_page(user, form, at_login=True)
    if not form.validate():
        return _passkey_add_page(user, form, at_login=True, status=422)
    codes, error, status = _register(user, form)
    if codes is None:
        return _passkey_add_page(user, form, at_login=True, status=status, error=error)
    remember, next_url = flow.finish()
    target = complete_login(user, remember, next_url)
    db.session.commit()
    return render_template("mfa/recovery_codes.html", codes=codes, next_url=target)


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
        delete_form=ConfirmForm(),
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
        )
        if not mfa.passkeys_of(current_user)
        else _("La connexion demandera votre clé d'accès. Vos codes de secours restent valables."),
        button=_("Retirer l'application"),
        danger=True,
    ), (422 if form.errors else 200)


@bp.route("/compte/securite/codes-de-secours", methods=["GET", "POST"])
@login_required
@limiter.limit("20 per minute", methods=["POST"])
def recovery_codes_renew():
    """New recovery codes (the old ones stop working), confirmed by a current code; an
    account with passkeys and no app confirms with a passkey (``recovery_codes_renew_passkey``)."""
    if not mfa.has_totp(current_user):
        if mfa.passkeys_of(current_user):
            return _renew_with_passkey_page()
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


def _renew_with_passkey_page(status: int = 200, error: str | None = None):
    """New recovery codes confirmed by a passkey: a fresh assertion, as strong as a TOTP code."""
    options = passkeys.authentication_options(current_user)
    db.session.commit()  # the new challenge (and any spent one)
    return render_template(
        "mfa/recovery_codes_passkey.html",
        form=PasskeyLoginForm(),
        options=options,
        error=error,
    ), status


@bp.post("/compte/securite/codes-de-secours/cle")
@login_required
@limiter.limit("20 per minute")
def recovery_codes_renew_passkey():
    """The passkey's answer to ``_renew_with_passkey_page``: new codes once it is checked."""
    if not mfa.passkeys_of(current_user):
        return redirect(url_for("mfa.settings"))
    form = PasskeyLoginForm()
    if not form.validate_on_submit():
        return _renew_with_passkey_page(400, _("Recommencez."))
    try:
        passkeys.authenticate(current_user, form.credential.data)
    except passkeys.PasskeyError as error:
        db.session.commit()  # the spent challenge stays spent
        return _renew_with_passkey_page(400, _passkey_error(error))
    codes = mfa.new_recovery_codes(current_user)
    db.session.commit()
    return render_template("mfa/recovery_codes.html", codes=codes, next_url=url_for("mfa.settings"))


# -- passkeys of the account ----------------------------------------------------------------


@bp.route("/compte/securite/cles/ajouter", methods=["GET", "POST"])
@login_required
@limiter.limit("20 per minute", methods=["POST"])
def passkey_add():
    """Register a passkey of this browser, phone or security key."""
    form = PasskeyAddForm()
    if not form.is_submitted():
        form.name.data = _("Clé d'accès")
        return _passkey_add_page(current_user, form, at_login=False)
    if not form.validate():
        return _passkey_add_page(current_user, form, at_login=False, status=422)
    codes, error, status = _register(current_user, form)
    if codes is None:
        return _passkey_add_page(current_user, form, at_login=False, status=status, error=error)
    db.session.commit()
    if codes:  # the account's first second factor
        return render_template(
            "mfa/recovery_codes.html", codes=codes, next_url=url_for("mfa.settings")
        )
    flash(_("La clé d'accès est ajoutée à votre compte."), "success")
    return redirect(url_for("mfa.settings"))


def _own_passkey(passkey_id: int):
    passkey = passkeys.get_passkey(current_user, passkey_id)
    if passkey is None:
        abort(404)
    return passkey


@bp.route("/compte/securite/cles/<int:passkey_id>/renommer", methods=["GET", "POST"])
@login_required
def passkey_rename(passkey_id: int):
    passkey = _own_passkey(passkey_id)
    form = PasskeyNameForm()
    if not form.is_submitted():
        form.name.data = passkey.name
    elif form.validate():
        passkeys.rename(passkey, form.name.data or "")
        db.session.commit()
        flash(_("La clé d'accès est renommée."), "success")
        return redirect(url_for("mfa.settings"))
    return render_template("mfa/passkey_rename.html", form=form, passkey=passkey), (
        422 if form.errors else 200
    )


@bp.route("/compte/securite/cles/<int:passkey_id>/supprimer", methods=["GET", "POST"])
@login_required
def passkey_delete(passkey_id: int):
    """Delete a passkey, after a confirmation; never the last factor of a role that needs one."""
    passkey = _own_passkey(passkey_id)
    last = not mfa.has_totp(current_user) and len(mfa.passkeys_of(current_user)) == 1
    if last and mfa.mfa_required(current_user):
        flash(
            _(
                "Votre rôle exige une double authentification : ajoutez une autre clé d'accès "
                "ou une application d'authentification avant de supprimer celle-ci."
            ),
            "error",
        )
        return redirect(url_for("mfa.settings"))
    form = ConfirmForm()
    if form.validate_on_submit():
        passkeys.delete(current_user, passkey)
        db.session.commit()
        flash(_("La clé d'accès « %(name)s » est supprimée.", name=passkey.name), "success")
        return redirect(url_for("mfa.settings"))
    return render_template("mfa/passkey_delete.html", form=form, passkey=passkey, last=last)
