"""Forms and French labels of the sharing pages (the holder's shares, opening a link)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Form,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from passport.forms import FrenchIntegerField, empty_to_none
from passport.labels import NEEDS
from passport.sharing.models import SECTIONS
from passport.sharing.purposes import CUSTOM, purpose_of
from passport.sharing.services import (
    LABEL_MAX,
    MAX_DAYS,
    MIN_DAYS,
    PASSCODE_MAX,
    PASSCODE_MIN,
)

SECTION_LABELS = {
    "profile": _l("Profil (nom, adresse e-mail, situation, niveau de qualification)"),
    "receptions": _l("Accueils dans les structures"),
    "referrals": _l("Orientations (fiches navette)"),
    "trainings": _l("Formations"),
    "cpf": _l("Compte personnel de formation (CPF)"),
}

SECTION_SHORT_LABELS = {
    "profile": _l("Profil"),
    "receptions": _l("Accueils"),
    "referrals": _l("Orientations"),
    "trainings": _l("Formations"),
    "cpf": _l("CPF"),
}

#: The three permission choices, in plain words.
PERMISSION_CHOICES = {
    "read": (
        _l("Consulter"),
        _l("La structure peut consulter les parties choisies de votre passeport."),
    ),
    "append": (
        _l("Ajouter"),
        _l(
            "La structure peut ajouter un accueil, une orientation ou une formation attestée, "
            "sans rien voir de votre passeport. Une orientation porte votre nom, pour que "
            "la structure qui la reçoit sache qui elle accueille."
        ),
    ),
    "both": (
        _l("Consulter et ajouter"),
        _l(
            "La structure peut consulter les parties choisies et y ajouter ce qu'elle fait "
            "pour vous."
        ),
    ),
}

PERMISSION_SETS = {"read": ["read"], "append": ["append"], "both": ["read", "append"]}

#: The purposes, in plain words: (title, what it does), in the order of the first page.
PURPOSE_TEXTS = {
    "rendez-vous": (
        _l("Préparer un rendez-vous"),
        _l(
            "Vous choisissez la structure. Le conseiller voit votre profil, vos accueils et "
            "vos orientations, et peut enregistrer votre accueil dans votre passeport. "
            "Le lien vaut 7 jours."
        ),
    ),
    "parcours": (
        _l("Montrer mon parcours"),
        _l(
            "La structure consulte votre profil, vos accueils, vos orientations et vos "
            "formations, sans rien pouvoir ajouter."
        ),
    ),
    "depot": (
        _l("Permettre un dépôt"),
        _l(
            "La structure peut ajouter un accueil, une orientation ou une formation attestée, "
            "sans rien voir de votre passeport."
        ),
    ),
    "personnalise": (
        _l("Personnalisé"),
        _l("Vous choisissez vous-même chaque réglage."),
    ),
}

STATE_LABELS = {
    "active": _l("Actif"),
    "expired": _l("Expiré"),
    "revoked": _l("Révoqué"),
    "suspended": _l("Suspendu"),
    "used_up": _l("Déjà utilisé"),
    "locked": _l("Verrouillé"),
}

ACCESS_ACTION_LABELS = {
    "view": _l("Consultation"),
    "append": _l("Ajout"),
    "denied": _l("Tentative refusée"),
}

ANY_STRUCTURE = ""


def select_choices(pairs) -> list[SelectChoice]:
    """WTForms choices from ``(value, label)`` pairs."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def permission_key(permissions: list[str] | tuple[str, ...] | None) -> str:
    """``read``, ``append`` or ``both`` for a share's permissions."""
    chosen = set(permissions or ())
    if chosen == {"read", "append"}:
        return "both"
    return "append" if chosen == {"append"} else "read"


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (the template renders them in a fieldset with a legend)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ShareForm(FlaskForm):
    """A new share link: what, for whom, how long, how protected.

    ``purpose`` (hidden) keeps the purpose chosen on the first page; its defaults fill the
    form (``Purpose.defaults``); the rendez-vous purpose requires a structure.
    """

    purpose = HiddenField(default=CUSTOM)
    label = StringField(
        _l("Nom du partage (facultatif)"),
        description=_l(
            "Pour vous y retrouver, par exemple : « Rendez-vous Mission locale du 3 juin »."
        ),
        filters=[empty_to_none],
        validators=[Optional(), Length(max=LABEL_MAX, message=_l("120 caractères au plus."))],
    )
    sections = MultiCheckboxField(
        _l("Parties du passeport à partager"),
        choices=select_choices((s, SECTION_LABELS[s]) for s in SECTIONS),
        default=["profile", "receptions", "referrals", "trainings"],
    )
    permissions = RadioField(
        _l("Ce que la structure peut faire"),
        choices=select_choices((key, label) for key, (label, _hint) in PERMISSION_CHOICES.items()),
        default="read",
        validators=[InputRequired(_l("Choisissez ce que la structure peut faire."))],
    )
    structure = SelectField(
        _l("Structure destinataire"),
        description=_l(
            "Choisissez une structure de l'annuaire, ou laissez « Toute structure du SPRO » "
            "si vous ne savez pas encore où vous irez."
        ),
        choices=[],
        validate_choice=True,
    )
    expires_in_days = FrenchIntegerField(
        _l("Durée de validité, en jours"),
        description=_l("De 1 à 90 jours. Passé ce délai, le lien ne fonctionne plus."),
        default=30,
        validators=[
            InputRequired(_l("Indiquez une durée, de 1 à 90 jours.")),
            NumberRange(min=MIN_DAYS, max=MAX_DAYS, message=_l("La durée va de 1 à 90 jours.")),
        ],
    )
    passcode = StringField(
        _l("Code d'accès (facultatif)"),
        description=_l(
            "Conseil : 6 caractères ou plus, qui ne soient ni votre date de naissance ni votre "
            "nom. Donnez le code de vive voix ou par un autre moyen que le lien. Après 10 "
            "essais faux, le lien est verrouillé."
        ),
        filters=[empty_to_none],
        validators=[
            Optional(),
            Length(
                min=PASSCODE_MIN,
                max=PASSCODE_MAX,
                message=_l("Le code compte de 4 à 128 caractères."),
            ),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    single_use = BooleanField(_l("Lien à usage unique (il ne servira qu'une fois)"))

    def __init__(self, *args, structures=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.structure.choices = select_choices(
            [(ANY_STRUCTURE, _l("Toute structure du SPRO"))]
            + [(s.code, f"{s.name} ({s.department})") for s in structures]
        )

    def validate_structure(self, field) -> None:
        purpose = purpose_of(self.purpose.data)
        if purpose is not None and purpose.needs_structure and not field.data:
            raise ValidationError(_l("Choisissez la structure de votre rendez-vous."))

    def validate_sections(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Choisissez au moins une partie du passeport."))

    def values(self) -> dict:
        """The arguments of ``sharing.services.create_share``."""
        return {
            "sections": list(self.sections.data or []),
            "permissions": PERMISSION_SETS[self.permissions.data],
            "expires_in_days": self.expires_in_days.data,
            "structure": self.structure.data or None,
            "passcode": self.passcode.data,
            "single_use": bool(self.single_use.data),
            "label": self.label.data,
        }


class StructurePickForm(Form):
    """The filters of the structure picker (a GET form: no CSRF, nothing changes)."""

    q = StringField(
        _l("Nom, ville ou service"),
        filters=[lambda v: v.strip()[:100] if v else v],
        validators=[Optional()],
    )
    besoin = SelectField(
        _l("Pour quel besoin ?"),
        choices=select_choices([("", _l("Tous les besoins"))] + list(NEEDS.items())),
        validate_choice=False,
    )


class ConfirmForm(FlaskForm):
    """A confirmation (revoke, suspend, resume): nothing but the CSRF token."""


class OpenShareForm(FlaskForm):
    """The advisor's step before a share opens: its passcode, when it has one."""

    passcode = PasswordField(
        _l("Code d'accès"),
        description=_l("La personne vous a donné ce code avec le lien, ou de vive voix."),
        validators=[Optional(), Length(max=PASSCODE_MAX, message=_l("Ce code est trop long."))],
        render_kw={"autocomplete": "off"},
    )
