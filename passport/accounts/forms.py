"""Registration, login and password forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length

from passport.accounts.services import MIN_PASSWORD_LENGTH

PASSWORD_HELP = _l("12 caractères au moins. Une phrase facile à retenir fait un bon mot de passe.")


class NewPasswordForm(FlaskForm):
    """A new password, typed twice."""

    password = PasswordField(
        _l("Mot de passe"),
        description=PASSWORD_HELP,
        validators=[
            InputRequired(_l("Choisissez un mot de passe.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=1024,
                message=_l("Le mot de passe doit compter au moins 12 caractères."),
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Confirmez le mot de passe"),
        validators=[
            InputRequired(_l("Confirmez le mot de passe.")),
            EqualTo("password", _l("Les deux mots de passe ne sont pas identiques.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class RegisterForm(NewPasswordForm):
    full_name = StringField(
        _l("Nom et prénom"),
        validators=[InputRequired(_l("Indiquez votre nom.")), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    email = EmailField(
        _l("Adresse e-mail"),
        validators=[
            InputRequired(_l("Indiquez votre adresse e-mail.")),
            Email(_l("Cette adresse e-mail n'est pas valide.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email"},
    )


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Adresse e-mail"),
        validators=[InputRequired(_l("Indiquez votre adresse e-mail.")), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Mot de passe"),
        validators=[InputRequired(_l("Indiquez votre mot de passe.")), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Rester connecté sur cet appareil"))
    next = HiddenField()


class ForgotForm(FlaskForm):
    email = EmailField(
        _l("Adresse e-mail"),
        validators=[
            InputRequired(_l("Indiquez votre adresse e-mail.")),
            Email(_l("Cette adresse e-mail n'est pas valide.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email"},
    )


class ResetForm(NewPasswordForm):
    """Choose a new password from a reset link."""


class ChangePasswordForm(NewPasswordForm):
    """From the account page: the current password, then the new one twice."""

    current_password = PasswordField(
        _l("Mot de passe actuel"),
        validators=[InputRequired(_l("Indiquez votre mot de passe actuel.")), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )


class ChangeEmailForm(FlaskForm):
    email = EmailField(
        _l("Nouvelle adresse e-mail"),
        description=_l(
            "Un lien de confirmation y sera envoyé ; l'adresse change quand vous l'ouvrez."
        ),
        validators=[
            InputRequired(_l("Indiquez la nouvelle adresse e-mail.")),
            Email(_l("Cette adresse e-mail n'est pas valide.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email"},
    )
    password = PasswordField(
        _l("Mot de passe actuel"),
        validators=[InputRequired(_l("Indiquez votre mot de passe actuel.")), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
