"""The simulator's form: a GET form (it computes, it changes nothing), French numbers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, FieldList, Form, FormField
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from passport.cpf.rules import FIRST_YEAR
from passport.forms import FrenchDecimalField, FrenchIntegerField

YEAR_ROWS = 4


class WorkYearForm(Form):
    """One year of work (a row of the form)."""

    year = FrenchIntegerField(
        _l("Année"),
        validators=[
            Optional(),
            NumberRange(
                min=FIRST_YEAR,
                max=2100,
                message=_l("Une année à partir de 2019 (avant, le compte était en heures)."),
            ),
        ],
    )
    work_percent = FrenchDecimalField(
        _l("Temps de travail, en pourcentage d'un temps plein"),
        places=4,
        description=_l("100 pour un temps plein, 50 pour un mi-temps, 0 sans emploi."),
        validators=[Optional(), NumberRange(min=0, max=100, message=_l("De 0 à 100 %%."))],
    )
    below_level_3 = BooleanField(_l("Sans diplôme de niveau 3 (CAP, BEP) cette année-là"))

    def validate(self, extra_validators=None) -> bool:
        """A row is both filled or both empty (``Optional`` stops inline validators)."""
        valid = super().validate(extra_validators)
        year, percent = self.year, self.work_percent
        if year.data is not None and percent.data is None and not percent.errors:
            percent.errors = [_l("Indiquez le temps de travail de cette année.")]
            valid = False
        if year.data is None and percent.data is not None and not year.errors:
            year.errors = [_l("Indiquez l'année.")]
            valid = False
        return valid


class SimulatorForm(Form):
    balance_eur = FrenchDecimalField(
        _l("Solde de votre compte, en euros"),
        description=_l("Tel qu'il apparaît sur moncompteformation.gouv.fr, par exemple 1 250,50."),
        validators=[
            InputRequired(_l("Indiquez votre solde en euros (0 si vous ne le connaissez pas).")),
            NumberRange(min=0, max=1_000_000, message=_l("Montant non valable.")),
        ],
    )
    as_of = DateField(
        _l("Date de ce solde"),
        validators=[InputRequired(_l("Indiquez la date de ce solde."))],
    )
    years = FieldList(FormField(WorkYearForm), min_entries=YEAR_ROWS, max_entries=YEAR_ROWS)
    training_cost_eur = FrenchDecimalField(
        _l("Prix de la formation, en euros (facultatif)"),
        validators=[
            Optional(),
            NumberRange(min=0, max=1_000_000, message=_l("Montant non valable.")),
        ],
    )
    purchase_date = DateField(
        _l("Date d'achat de la formation (facultatif)"),
        description=_l("Par défaut, aujourd'hui."),
        validators=[Optional()],
    )
    employer_cofunding_eur = FrenchDecimalField(
        _l("Financement de votre employeur, en euros (facultatif)"),
        validators=[
            Optional(),
            NumberRange(min=0, max=1_000_000, message=_l("Montant non valable.")),
        ],
    )
    jobseeker = BooleanField(_l("Je suis demandeur ou demandeuse d'emploi"))

    def validate_as_of(self, field) -> None:
        if field.data and not date(2000, 1, 1) <= field.data <= date(2100, 12, 31):
            raise ValidationError(_l("Date non valable."))

    def validate_purchase_date(self, field) -> None:
        if field.data and not date(FIRST_YEAR, 1, 1) <= field.data <= date(2100, 12, 31):
            raise ValidationError(_l("Une date à partir de 2019."))

    def validate_years(self, field) -> None:
        seen = [row.form.year.data for row in field if row.form.year.data is not None]
        if len(seen) != len(set(seen)):
            raise ValidationError(_l("Chaque année ne compte qu'une fois."))

    def work_years(self) -> list[tuple[int, Decimal, bool]]:
        """The filled rows as ``(year, work ratio 0..1, below level 3)``."""
        return [
            (
                row.form.year.data,
                row.form.work_percent.data / 100,
                bool(row.form.below_level_3.data),
            )
            for row in self.years
            if row.form.year.data is not None and row.form.work_percent.data is not None
        ]
