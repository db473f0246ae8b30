"""Forms of the directory pages: an entry, a service, the finder's question."""

from __future__ import annotations

from data_inclusion.schema.v1 import Public
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, ValidationError

from passport.directory import checks, territory
from passport.forms import empty_to_none
from passport.labels import NEEDS, SITUATIONS, choices
from passport.sharing.forms import MultiCheckboxField

TEXT_MAX = 5000


def _too_long(n: int):
    return Length(max=n, message=_l("%(n)s caractères au plus.", n=n))


def resolve_commune(text: str | None) -> tuple[territory.Commune | None, list[territory.Commune]]:
    """A commune from what a person typed: an INSEE code, "Dreux (28100)", a name or a
    postal code. Returns (the commune, []) or (None, the candidates to choose from)."""
    text = (text or "").strip()
    if not text:
        return None, []
    if text.isdigit() and len(text) == 5:  # a postal code first, else an INSEE code
        postal = [c for c in territory.search(text, 30) if text in c.postal_codes]
        if len(postal) == 1:
            return postal[0], []
        if postal:
            return None, postal
        found = territory.commune(text)
        return (found, []) if found is not None else (None, [])
    found = territory.commune(text)
    if found is not None:  # "2A004"
        return found, []
    if text.endswith(")") and "(" in text:
        name, _sep, wanted = text[:-1].rpartition("(")
        for candidate in territory.search(name.strip(), limit=50):
            if wanted.strip() in candidate.postal_codes and territory.fold(
                candidate.name
            ) == territory.fold(name):
                return candidate, []
    candidates = territory.search(text, limit=20)
    exact = [c for c in candidates if territory.fold(c.name) == territory.fold(text)]
    if len(exact) == 1:
        return exact[0], []
    if len(candidates) == 1:
        return candidates[0], []
    return None, exact or candidates


class CommuneField(StringField):
    """A commune typed as a name, a postal code or an INSEE code; ``commune`` is the match."""

    commune: territory.Commune | None = None
    candidates: list[territory.Commune]

    def pre_validate(self, form) -> None:
        self.candidates = []
        self.commune = None
        if not self.data:
            return
        self.commune, self.candidates = resolve_commune(self.data)
        if self.commune is None and self.candidates:
            raise ValidationError(
                _l(
                    "Plusieurs communes correspondent : écrivez-la comme dans la liste, "
                    "par exemple %(example)s.",
                    example=" ou ".join(f"« {c.label} »" for c in self.candidates[:3]),
                )
            )
        if self.commune is None:
            raise ValidationError(_l("Commune inconnue : tapez son nom ou son code postal."))


def _public_choices():
    return choices({p.value: p.label for p in Public})


class EntryForm(FlaskForm):
    """A directory entry: contact, hours, publics and zone."""

    name = StringField(
        _l("Nom de la structure"),
        filters=[empty_to_none],
        validators=[
            InputRequired(_l("Indiquez le nom de la structure.")),
            Length(min=3, max=150, message=_l("De 3 à 150 caractères.")),
        ],
    )
    description = TextAreaField(
        _l("Présentation"),
        filters=[empty_to_none],
        validators=[Optional(), _too_long(TEXT_MAX)],
    )
    address = StringField(
        _l("Adresse"),
        description=_l("Numéro et rue, par exemple : 4 rue de Châteaudun."),
        filters=[empty_to_none],
        validators=[Optional(), _too_long(300)],
    )
    commune = CommuneField(
        _l("Commune"),
        description=_l("Son nom ou son code postal, par exemple : Dreux ou 28100."),
        render_kw={"list": "communes-list", "autocomplete": "off"},
        filters=[empty_to_none],
        validators=[Optional(), _too_long(100)],
    )
    phone = StringField(
        _l("Téléphone"), filters=[empty_to_none], validators=[Optional(), _too_long(40)]
    )
    email = StringField(
        _l("Adresse électronique"),
        filters=[empty_to_none],
        validators=[Optional(), _too_long(254), Email(_l("Adresse électronique non valable."))],
    )
    website = StringField(
        _l("Site web"),
        description=_l("Commence par https://"),
        filters=[empty_to_none],
        validators=[Optional(), _too_long(300)],
    )
    opening_hours = StringField(
        _l("Horaires d'ouverture"),
        description=_l(
            "Au format OpenStreetMap, par exemple : Mo-Fr 09:00-12:30,13:30-17:00; PH off "
            "(lundi au vendredi, fermé les jours fériés)."
        ),
        filters=[empty_to_none],
        validators=[Optional(), _too_long(500)],
    )
    publics = MultiCheckboxField(_l("Publics accueillis"), choices=_public_choices())
    age_min = IntegerField(
        _l("Âge minimum (facultatif)"),
        validators=[Optional(), NumberRange(0, 120, _l("Un âge de 0 à 120 ans."))],
    )
    age_max = IntegerField(
        _l("Âge maximum (facultatif)"),
        validators=[Optional(), NumberRange(0, 120, _l("Un âge de 0 à 120 ans."))],
    )
    situations = MultiCheckboxField(
        _l("Situations accueillies (aucune cochée : toutes)"), choices=choices(SITUATIONS)
    )
    zone = StringField(
        _l("Zone d'intervention"),
        description=_l(
            "Codes séparés par des espaces : communes (code INSEE, ex. 28134), "
            "intercommunalités (SIREN, ex. 200040277), départements (ex. 28) ou « france ». "
            "Vide : tout le département de la structure."
        ),
        filters=[empty_to_none],
        validators=[Optional(), _too_long(2000)],
    )
    needs = MultiCheckboxField(_l("Besoins traités"), choices=choices(NEEDS))

    def validate_phone(self, field) -> None:
        if field.data and not checks.PHONE.fullmatch(field.data):
            raise ValidationError(_l("Numéro de téléphone non valable."))

    def validate_website(self, field) -> None:
        if field.data and not checks.WEBSITE.fullmatch(field.data):
            raise ValidationError(_l("Une adresse qui commence par http:// ou https://"))

    def validate_opening_hours(self, field) -> None:
        if field.data:
            try:
                field.data = checks.opening_hours(field.data)
            except ValueError:
                raise ValidationError(
                    _l("Horaires illisibles : suivez l'exemple, Mo-Fr 09:00-17:00.")
                ) from None

    def validate_zone(self, field) -> None:
        try:
            self.zone_codes = checks.zone_codes(
                (field.data or "").replace(",", " ").replace(";", " ").split()
            )
        except ValueError:
            raise ValidationError(
                _l("Code inconnu dans la zone : communes, intercommunalités, départements.")
            ) from None

    def validate_age_max(self, field) -> None:
        low = self.age_min.data
        if field.data is not None and low is not None and low > field.data:
            raise ValidationError(_l("L'âge maximum est inférieur à l'âge minimum."))

    def validate_publics(self, field) -> None:
        if "tous-publics" in (field.data or []) and len(field.data) > 1:
            raise ValidationError(_l("« Tous publics » se coche seul."))

    def changes(self) -> dict:
        return {
            "name": self.name.data,
            "description": self.description.data,
            "address": self.address.data,
            "commune": self.commune.commune.code if self.commune.commune else None,
            "phone": self.phone.data,
            "email": self.email.data,
            "website": self.website.data,
            "opening_hours": self.opening_hours.data,
            "publics": list(self.publics.data or []),
            "age_min": self.age_min.data,
            "age_max": self.age_max.data,
            "situations": list(self.situations.data or []),
            "zone": getattr(self, "zone_codes", []),
            "needs": list(self.needs.data or []),
        }


class ServiceForm(FlaskForm):
    """One service of an entry."""

    title = StringField(
        _l("Intitulé du service"),
        filters=[empty_to_none],
        validators=[
            InputRequired(_l("Indiquez l'intitulé du service.")),
            Length(min=3, max=150, message=_l("De 3 à 150 caractères.")),
        ],
    )
    description = TextAreaField(
        _l("Description"),
        filters=[empty_to_none],
        validators=[
            InputRequired(_l("Décrivez le service en quelques phrases.")),
            Length(min=5, max=TEXT_MAX, message=_l("De 5 à 5 000 caractères.")),
        ],
    )
    needs = MultiCheckboxField(_l("Besoins couverts"), choices=choices(NEEDS))
    fees = SelectField(
        _l("Frais"),
        choices=choices({"gratuit": _l("Gratuit"), "payant": _l("Payant")}, blank=True),
    )
    fees_details = StringField(
        _l("Précisions sur les frais"),
        filters=[empty_to_none],
        validators=[Optional(), _too_long(500)],
    )
    access_person = TextAreaField(
        _l("Comment la personne y accède"),
        description=_l("Par exemple : sans rendez-vous le mardi matin, ou sur rendez-vous."),
        filters=[empty_to_none],
        validators=[Optional(), _too_long(TEXT_MAX)],
    )
    access_advisor = TextAreaField(
        _l("Comment un conseiller oriente quelqu'un"),
        description=_l("Par exemple : fiche navette, ou courriel au référent."),
        filters=[empty_to_none],
        validators=[Optional(), _too_long(TEXT_MAX)],
    )
    contact_name = StringField(
        _l("Contact (nom)"), filters=[empty_to_none], validators=[Optional(), _too_long(150)]
    )
    contact_phone = StringField(
        _l("Contact (téléphone)"), filters=[empty_to_none], validators=[Optional(), _too_long(40)]
    )
    contact_email = StringField(
        _l("Contact (adresse électronique)"),
        filters=[empty_to_none],
        validators=[Optional(), _too_long(254), Email(_l("Adresse électronique non valable."))],
    )

    def validate_needs(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Cochez au moins un besoin."))

    def validate_contact_phone(self, field) -> None:
        if field.data and not checks.PHONE.fullmatch(field.data):
            raise ValidationError(_l("Numéro de téléphone non valable."))

    def values(self) -> dict:
        return {
            "title": self.title.data,
            "description": self.description.data,
            "needs": list(self.needs.data or []),
            "fees": self.fees.data or None,
            "fees_details": self.fees_details.data,
            "access_person": self.access_person.data,
            "access_advisor": self.access_advisor.data,
            "contact_name": self.contact_name.data,
            "contact_phone": self.contact_phone.data,
            "contact_email": self.contact_email.data,
        }
