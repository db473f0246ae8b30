"""Forms of the second factor: a code at login, a code to confirm or remove a TOTP."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
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
