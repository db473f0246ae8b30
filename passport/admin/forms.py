"""Forms of the administration pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import Email, InputRequired, Length, Regexp

from passport import labels
from passport.structures.models import STRUCTURE_TYPES


class StructureForm(FlaskForm):
    code = StringField(
        _l("Code"),
        description=_l("Lettres majuscules, chiffres et tirets, par exemple ML-DREUX."),
        validators=[
            InputRequired(_l("Indiquez le code de la structure.")),
            Length(max=32, message=_l("32 caractères au plus.")),
            Regexp(r"^[A-Za-z0-9-]+$", message=_l("Lettres, chiffres et tirets seulement.")),
        ],
    )
    name = StringField(
        _l("Nom"),
        validators=[InputRequired(_l("Indiquez le nom de la structure.")), Length(max=200)],
    )
    type = SelectField(_l("Type"), validators=[InputRequired(_l("Choisissez un type."))])
    department = StringField(
        _l("Département"),
        description=_l("Numéro du département, par exemple 28."),
        validators=[
            InputRequired(_l("Indiquez le département.")),
            Regexp(r"^([0-9]{2,3}|2[ABab])$", message=_l("Un numéro de département, comme 28.")),
        ],
    )
    is_cep_operator = BooleanField(_l("Opérateur du conseil en évolution professionnelle (CEP)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type.choices = [(code, str(labels.STRUCTURE_TYPES[code])) for code in STRUCTURE_TYPES]


class InviteForm(FlaskForm):
    full_name = StringField(
        _l("Nom et prénom"),
        validators=[InputRequired(_l("Indiquez le nom de la personne.")), Length(max=200)],
    )
    email = EmailField(
        _l("Adresse e-mail"),
        description=_l("L'invitation y est envoyée."),
        validators=[
            InputRequired(_l("Indiquez l'adresse e-mail.")),
            Email(_l("Cette adresse e-mail n'est pas valide.")),
            Length(max=254),
        ],
    )
    role = SelectField(_l("Rôle"), validators=[InputRequired(_l("Choisissez un rôle."))])
    structure = SelectField(
        _l("Structure"),
        description=_l("Pour les conseillers et les administrateurs de structure."),
    )


class RoleForm(FlaskForm):
    role = SelectField(_l("Rôle"), validators=[InputRequired(_l("Choisissez un rôle."))])
    structure = SelectField(
        _l("Structure"),
        description=_l("Pour les conseillers et les administrateurs de structure."),
    )
