"""Forms of the trust pages: erasing the account, verifying an export."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired, InputRequired, Length


class EraseForm(FlaskForm):
    password = PasswordField(
        _l("Votre mot de passe"),
        description=_l("Pour confirmer que c'est bien vous."),
        validators=[InputRequired(_l("Indiquez votre mot de passe.")), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    confirm = BooleanField(
        _l(
            "Je comprends que mon compte, mon passeport et mes partages seront effacés "
            "définitivement, sans retour possible."
        ),
        validators=[DataRequired(_l("Cochez cette case pour confirmer l'effacement."))],
    )


class VerifyForm(FlaskForm):
    bundle = FileField(
        _l("Fichier d'export (.json ou .pdf)"),
        description=_l(
            "Le fichier JSON ou PDF téléchargé depuis le passeport ou « Mes données » d'un "
            "Passeport SPRO."
        ),
        validators=[FileRequired(_l("Choisissez le fichier à vérifier."))],
        render_kw={"accept": "application/json,.json,application/pdf,.pdf"},
    )
