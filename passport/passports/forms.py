"""Forms of the holder's passport: profile, trainings, CPF statements."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from passport.db import today_local
from passport.forms import FrenchDecimalField, FrenchIntegerField, empty_to_none
from passport.labels import QUALIFICATION_LEVELS, SITUATIONS, TRAINING_STATUSES, choices

SITUATION_CHOICES = choices(SITUATIONS, blank=True)
QUALIFICATION_CHOICES = choices(QUALIFICATION_LEVELS, blank=True)
TRAINING_STATUS_CHOICES = choices(TRAINING_STATUSES)


class ProfileForm(FlaskForm):
    def validate_birth_year(self, field) -> None:
        if field.data and field.data > today_local().year:
            raise ValidationError(_l("Année non valable."))

    birth_year = FrenchIntegerField(
        _l("Année de naissance"),
        validators=[
            Optional(),
            NumberRange(min=1900, message=_l("Année non valable.")),
        ],
        render_kw={"autocomplete": "bday-year"},
    )
    department = StringField(
        _l("Département"),
        description=_l("Numéro du département, par exemple 28 pour l'Eure-et-Loir."),
        filters=[empty_to_none],
        validators=[
            Optional(),
            Regexp(
                r"^(\d{2}|2A|2B|97\d)$", message=_l("Indiquez un numéro de département, comme 28.")
            ),
        ],
    )
    situation = SelectField(_l("Situation"), choices=SITUATION_CHOICES)
    qualification_level = SelectField(_l("Niveau de qualification"), choices=QUALIFICATION_CHOICES)


class TrainingForm(FlaskForm):
    title = StringField(
        _l("Intitulé de la formation"),
        validators=[InputRequired(_l("Indiquez l'intitulé de la formation.")), Length(max=300)],
    )
    provider = StringField(
        _l("Organisme de formation"),
        filters=[empty_to_none],
        validators=[Optional(), Length(max=300)],
    )
    certification_code = StringField(
        _l("Code RNCP ou RS"),
        description=_l("Facultatif, par exemple RNCP35185 ou RS5678."),
        filters=[empty_to_none, lambda v: v.replace(" ", "").upper() if v else v],
        validators=[
            Optional(),
            Regexp(r"^(RNCP|RS)?\d{1,8}$", message=_l("Un code ressemble à RNCP35185 ou RS5678.")),
        ],
    )
    start_date = DateField(_l("Date de début"), validators=[Optional()])
    end_date = DateField(_l("Date de fin"), validators=[Optional()])
    status = SelectField(_l("État"), choices=TRAINING_STATUS_CHOICES)
    hours = FrenchDecimalField(
        _l("Nombre d'heures"),
        places=2,
        validators=[
            Optional(),
            NumberRange(min=0, max=100000, message=_l("Nombre d'heures non valable.")),
        ],
    )
    funding = StringField(
        _l("Financement"),
        description=_l("Par exemple : CPF, Région, France Travail, employeur."),
        filters=[empty_to_none],
        validators=[Optional(), Length(max=200)],
    )

    def validate_end_date(self, field) -> None:
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("La date de fin est avant la date de début."))

    def values(self) -> dict:
        return {
            name: getattr(self, name).data
            for name in (
                "title",
                "provider",
                "certification_code",
                "start_date",
                "end_date",
                "status",
                "hours",
                "funding",
            )
        }


class CpfForm(FlaskForm):
    as_of = DateField(
        _l("Date du relevé"),
        description=_l("La date à laquelle vous avez lu ce solde sur moncompteformation.gouv.fr."),
        validators=[InputRequired(_l("Indiquez la date du relevé."))],
    )
    balance_eur = FrenchDecimalField(
        _l("Solde en euros"),
        places=2,
        validators=[
            InputRequired(_l("Indiquez le solde en euros.")),
            NumberRange(min=0, max=1_000_000, message=_l("Montant non valable.")),
        ],
    )
    dif_hours = FrenchIntegerField(
        _l("Heures DIF reportées"),
        description=_l("Facultatif : heures de l'ancien droit individuel à la formation."),
        validators=[
            Optional(),
            NumberRange(min=0, max=10_000, message=_l("Nombre d'heures non valable.")),
        ],
    )

    def validate_as_of(self, field) -> None:
        if field.data and field.data > today_local():
            raise ValidationError(_l("La date du relevé ne peut pas être dans le futur."))


class CorrectionRequestForm(FlaskForm):
    """The holder asks the structure that wrote a record to correct it."""

    message = TextAreaField(
        _l("Ce qui est inexact, et ce qui serait exact"),
        description=_l(
            "La structure lira votre message dans son espace. Elle peut rectifier ou retirer "
            "l'enregistrement ; vous verrez sa correction dans votre passeport."
        ),
        filters=[empty_to_none],
        validators=[
            InputRequired(_l("Expliquez ce qu'il faut corriger.")),
            Length(max=2000, message=_l("2 000 caractères au plus.")),
        ],
    )
