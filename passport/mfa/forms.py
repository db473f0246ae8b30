"""Forms of the second factor: a code at login, a code to confirm or remove a TOTP, and the
passkey forms (the browser's WebAuthn answer travels in a hidden field, filled by
``static/passkeys.js``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import InputRequired, Length


class LoginCodeForm(FlaskForm):
    """The second step of a login: a TOTP code or a recovery code."""

    code = StringField(
        _l("Code de vérification"),
        description=_l(
            "Les 6 chiffres affichés par votre application d'authentification, "
            "ou l'un de vos codes de secours."
        ),
        validators=[InputRequired(_l("Saisissez le code.")), Length(max=64)],
        render_kw={
            "autocomplete": "one-time-code",
            "autocapitalize": "none",
            "spellcheck": "false",
        },
    )


class TotpCodeForm(FlaskForm):
    """A current TOTP code (enrolment, removal, new recovery codes)."""

    code = StringField(
        _l("Code à 6 chiffres"),
        description=_l("Le code affiché en ce moment par votre application d'authentification."),
        validators=[InputRequired(_l("Saisissez le code.")), Length(max=64)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


#: The browser's answer to a WebAuthn ceremony, as JSON (a few KiB).
MAX_ANSWER = 64 * 1024


class PasskeyLoginForm(FlaskForm):
    """The second step of a login with a passkey: the authenticator's signed answer."""

    credential = HiddenField(validators=[Length(max=MAX_ANSWER)])


class PasskeyNameForm(FlaskForm):
    """The name a person gives a passkey, to recognise it in the list."""

    name = StringField(
        _l("Nom de la clé d'accès"),
        description=_l(
            "Pour la reconnaître dans la liste, par exemple « Ordinateur du bureau » "
            "ou « Téléphone »."
        ),
        validators=[InputRequired(_l("Donnez un nom à la clé d'accès.")), Length(max=100)],
        render_kw={"autocomplete": "off"},
    )


class PasskeyAddForm(PasskeyNameForm):
    """A new passkey: its name and the authenticator's answer."""

    credential = HiddenField(validators=[Length(max=MAX_ANSWER)])


class ConfirmForm(FlaskForm):
    """A bare confirmation (CSRF only), for a destructive action."""
