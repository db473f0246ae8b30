"""Forms of the advisor's workspace: first reception, fiche navette, referral status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SearchField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from passport.db import LOCAL_TZ, today_local
from passport.forms import empty_to_none
from passport.labels import (
    CHANNELS,
    DECLINE_REASONS,
    NEEDS,
    OUTCOMES,
    REFERRAL_STATUSES,
    SITUATIONS,
    choices,
)
from passport.passports.forms import TrainingForm
from passport.records.services import Appointment
from passport.sharing.forms import MultiCheckboxField, select_choices

TEXT_MAX = 2000

__all__ = [
    "CorrectionForm",
    "DeskSearchForm",
    "ReceptionForm",
    "ReferralCorrectionForm",
    "ReferralForm",
    "StatusForm",
    "TrainingForm",
]


def _need_choices():
    return choices(NEEDS)


class ReceptionForm(FlaskForm):
    """The regional first-reception questionnaire (questionnaire 1er accueil)."""

    date = DateField(
        _l("Date de l'accueil"),
        default=today_local,
        validators=[InputRequired(_l("Indiquez la date de l'accueil."))],
    )
    channel = RadioField(
        _l("Comment la personne est venue"),
        choices=choices(CHANNELS),
        default="in_person",
        validators=[InputRequired(_l("Choisissez un canal d'accueil."))],
    )
    situation = SelectField(_l("Situation de la personne"), choices=choices(SITUATIONS, blank=True))
    needs = MultiCheckboxField(_l("Besoins exprimés"), choices=_need_choices())
    outcome = SelectField(_l("Suite donnée"), choices=choices(OUTCOMES, blank=True))
    summary = TextAreaField(
        _l("Résumé de l'échange (facultatif)"),
        description=_l("Quelques lignes, sans donnée de santé ni numéro de sécurité sociale."),
        filters=[empty_to_none],
        validators=[Optional(), Length(max=TEXT_MAX, message=_l("2 000 caractères au plus."))],
    )

    def validate_date(self, field) -> None:
        if field.data and field.data > today_local() + timedelta(days=1):
            raise ValidationError(_l("La date de l'accueil ne peut pas être dans le futur."))
        if field.data and field.data.year < 2000:
            raise ValidationError(_l("Date non valable."))

    def validate_needs(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Cochez au moins un besoin."))

    def values(self) -> dict:
        """The arguments of ``records.services.record_reception``."""
        return {
            "date": self.date.data,
            "channel": self.channel.data,
            "needs": list(self.needs.data),
            "situation": self.situation.data or None,
            "outcome": self.outcome.data or None,
            "summary": self.summary.data,
        }


class ReferralForm(FlaskForm):
    """A fiche navette: needs first, then the structure (those covering the needs first)."""

    needs = MultiCheckboxField(_l("Besoins de la personne"), choices=_need_choices())
    to_structure = SelectField(
        _l("Structure destinataire"),
        description=_l(
            "Les structures qui répondent aux besoins cochés sont proposées en premier. "
            "Après avoir coché les besoins, utilisez « Actualiser la liste des structures »."
        ),
        choices=[],
        validate_choice=True,
    )
    message = TextAreaField(
        _l("Message pour la structure (facultatif)"),
        description=_l("Ce que la structure doit savoir pour bien accueillir la personne."),
        filters=[empty_to_none],
        validators=[Optional(), Length(max=TEXT_MAX, message=_l("2 000 caractères au plus."))],
    )

    def set_structures(self, structures, own_id: int) -> None:
        """Directory entries except the sender; those covering the checked needs first."""
        wanted = set(self.needs.data or [])
        others = [s for s in structures if s.id != own_id]
        matching = [s for s in others if wanted & set(s.needs or [])] if wanted else []
        rest = [s for s in others if s not in matching]
        self.matching, self.others = matching, rest
        # Flat choices for validation; the template shows them in two groups.
        self.to_structure.choices = select_choices(
            [("", _l("— Choisir —"))] + [(s.code, s.name) for s in (*matching, *rest)]
        )

    def validate_needs(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Cochez au moins un besoin."))

    def validate_to_structure(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Choisissez la structure vers laquelle orienter la personne."))


class StatusForm(FlaskForm):
    """A status change of a referral received by the structure, with an optional note."""

    status = HiddenField(
        validators=[InputRequired()],
    )
    note = TextAreaField(
        _l("Note (facultative)"),
        description=_l("Ce que la structure qui a orienté la personne doit savoir."),
        filters=[empty_to_none],
        validators=[Optional(), Length(max=TEXT_MAX, message=_l("2 000 caractères au plus."))],
    )
    confirm = HiddenField()
    # With the status "appointment": shown openly to the person and to the sender.
    appointment_date = DateField(_l("Date du rendez-vous"), validators=[Optional()])
    appointment_time = TimeField(_l("Heure"), validators=[Optional()])
    place = StringField(
        _l("Lieu (facultatif)"),
        description=_l("L'adresse, ou « par téléphone », « en visioconférence »."),
        filters=[empty_to_none],
        validators=[Optional(), Length(max=300, message=_l("300 caractères au plus."))],
    )
    contact = StringField(
        _l("Contact (facultatif)"),
        description=_l(
            "Qui demander, et un téléphone ou un e-mail pour prévenir d'un empêchement."
        ),
        filters=[empty_to_none],
        validators=[Optional(), Length(max=300, message=_l("300 caractères au plus."))],
    )
    # With the status "declined": the sender can then look elsewhere.
    reason = SelectField(
        _l("Raison du refus"), choices=choices(DECLINE_REASONS, blank=True), validate_choice=False
    )

    def appointment(self):
        """The appointment typed in (Paris time), or None when the date or time is missing."""
        if not self.appointment_date.data or not self.appointment_time.data:
            return None
        local = datetime.combine(self.appointment_date.data, self.appointment_time.data)
        return Appointment(
            at=local.replace(tzinfo=LOCAL_TZ).astimezone(UTC),
            place=self.place.data,
            contact=self.contact.data,
        )

    def check_details(self) -> bool:
        """Errors next to the fields that the chosen status needs; True when complete."""
        ok = True
        if self.status.data == "appointment":
            if not self.appointment_date.data:
                self.appointment_date.errors = [_l("Indiquez la date du rendez-vous.")]
                ok = False
            elif not (
                today_local() - timedelta(days=366)
                <= self.appointment_date.data
                <= today_local() + timedelta(days=2 * 366)
            ):
                self.appointment_date.errors = [_l("Une date dans les deux ans à venir.")]
                ok = False
            if not self.appointment_time.data:
                self.appointment_time.errors = [_l("Indiquez l'heure du rendez-vous.")]
                ok = False
        if self.status.data == "declined" and self.reason.data not in DECLINE_REASONS:
            self.reason.errors = [_l("Choisissez la raison du refus.")]
            ok = False
        return ok

    def validate_status(self, field) -> None:
        if field.data not in REFERRAL_STATUSES or field.data == "sent":
            raise ValidationError(_l("Statut inconnu."))


class DeskSearchForm(FlaskForm):
    """The desk's search by name (a GET form: no CSRF, nothing changes)."""

    q = SearchField(
        _l("Nom de la personne"),
        filters=[empty_to_none],
        validators=[Optional(), Length(max=100, message=_l("100 caractères au plus."))],
    )


class CorrectionForm(FlaskForm):
    """Rectify or withdraw a record the structure wrote; the page asks to confirm first."""

    action = RadioField(
        _l("Que voulez-vous faire ?"),
        choices=choices(
            {
                "rectify": _l("Rectifier : remplacer des informations inexactes"),
                "withdraw": _l("Retirer : cet enregistrement n'aurait pas dû être écrit"),
            }
        ),
        validators=[InputRequired(_l("Choisissez entre rectifier et retirer."))],
    )
    reason = TextAreaField(
        _l("Motif"),
        description=_l(
            "La personne et les structures qui consultent le passeport le liront, à côté de "
            "l'enregistrement barré."
        ),
        filters=[empty_to_none],
        validators=[
            InputRequired(_l("Indiquez le motif de la correction.")),
            Length(max=TEXT_MAX, message=_l("2 000 caractères au plus.")),
        ],
    )
    confirm = HiddenField()


class ReferralCorrectionForm(FlaskForm):
    """What a rectification of a fiche navette may change: its needs and its message."""

    needs = MultiCheckboxField(_l("Besoins de la personne"), choices=_need_choices())
    message = TextAreaField(
        _l("Message pour la structure (facultatif)"),
        filters=[empty_to_none],
        validators=[Optional(), Length(max=TEXT_MAX, message=_l("2 000 caractères au plus."))],
    )

    def validate_needs(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Cochez au moins un besoin."))

    def values(self) -> dict:
        return {"needs": list(self.needs.data), "message": self.message.data}
