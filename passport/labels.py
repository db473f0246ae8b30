"""French labels (through Flask-Babel) of the domain's codes, for forms and pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

NEEDS = {
    "summer_job": _l("Job d'été"),
    "job_search": _l("Recherche d'emploi"),
    "training_search": _l("Recherche de formation"),
    "training_funding": _l("Financement d'une formation"),
    "orientation": _l("Orientation"),
    "career_change": _l("Reconversion"),
    "apprenticeship": _l("Apprentissage"),
    "vae": _l("Validation des acquis (VAE)"),
    "business_creation": _l("Création d'entreprise"),
    "mobility": _l("Mobilité"),
    "housing_health": _l("Logement, santé"),
    "other": _l("Autre besoin"),
}

SITUATIONS = {
    "employee": _l("Salarié ou salariée"),
    "jobseeker": _l("Demandeur ou demandeuse d'emploi"),
    "self_employed": _l("Travailleur indépendant ou travailleuse indépendante"),
    "public_agent": _l("Agent public ou agente publique"),
    "student": _l("Élève, étudiant ou étudiante"),
    "other": _l("Autre situation"),
}

CHANNELS = {
    "in_person": _l("Sur place"),
    "phone": _l("Par téléphone"),
    "online": _l("En ligne"),
}

OUTCOMES = {
    "answered": _l("Réponse apportée"),
    "referred": _l("Orientation vers un partenaire"),
    "appointment": _l("Rendez-vous fixé"),
    "follow_up": _l("Accompagnement"),
}

REFERRAL_STATUSES = {
    "sent": _l("Envoyée"),
    "received": _l("Reçue"),
    "appointment": _l("Rendez-vous fixé"),
    "completed": _l("Terminée"),
    "declined": _l("Déclinée"),
}

DECLINE_REASONS = {
    "not_eligible": _l("La personne ne relève pas de nos critères"),
    "no_capacity": _l("Plus de place disponible"),
    "unreachable": _l("Personne injoignable"),
    "declined_by_person": _l("La personne ne souhaite pas donner suite"),
    "wrong_structure": _l("Ce n'est pas la bonne structure"),
    "duplicate": _l("Orientation en double"),
    "other": _l("Autre raison"),
}

TRAINING_STATUSES = {
    "planned": _l("Prévue"),
    "in_progress": _l("En cours"),
    "completed": _l("Terminée"),
    "abandoned": _l("Abandonnée"),
}

QUALIFICATION_LEVELS = {
    0: _l("Sans diplôme ou niveau inférieur à 3"),
    3: _l("Niveau 3 (CAP, BEP)"),
    4: _l("Niveau 4 (baccalauréat)"),
    5: _l("Niveau 5 (bac + 2 : BTS, BUT)"),
    6: _l("Niveau 6 (licence, bachelor)"),
    7: _l("Niveau 7 (master)"),
    8: _l("Niveau 8 (doctorat)"),
}


def choices(mapping: dict, blank: bool = False) -> list:
    """WTForms choices from a label mapping, optionally led by an empty choice."""
    try:
        from wtforms.fields.choices import SelectChoice  # WTForms >= 3.3
    except ImportError:  # pragma: no cover - older WTForms take (value, label) tuples
        SelectChoice = None  # noqa: N806
    items = [("", _l("— Choisir —"))] if blank else []
    items += [(str(k), v) for k, v in mapping.items()]
    if SelectChoice is None:
        return items
    return [SelectChoice(value, label) for value, label in items]


ROLES = {
    "individual": _l("Titulaire d'un passeport"),
    "advisor": _l("Conseiller ou conseillère"),
    "structure_admin": _l("Administrateur ou administratrice de structure"),
    "coordinator": _l("Coordinateur ou coordinatrice"),
    "admin": _l("Administrateur ou administratrice"),
}

STRUCTURE_TYPES = {
    "ML": _l("Mission locale"),
    "FT": _l("France Travail"),
    "CAP": _l("Cap emploi"),
    "APEC": _l("Apec"),
    "CEP": _l("Conseil en évolution professionnelle"),
    "CIO": _l("Centre d'information et d'orientation"),
    "IJ": _l("Information jeunesse"),
    "SUIO": _l("Service universitaire d'orientation"),
    "TP": _l("Transitions Pro"),
    "CMA": _l("Chambre de métiers et de l'artisanat"),
    "CCI": _l("Chambre de commerce et d'industrie"),
    "VAE": _l("Point relais VAE"),
    "MDE": _l("Maison de l'emploi"),
    "CARIF": _l("Carif-Oref"),
}

#: (substring of a User-Agent, name), first match wins: enough to recognise one's devices.
_BROWSERS = (
    ("Edg/", "Edge"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def device_label(user_agent: str | None) -> str:
    """ "Firefox · Windows" from a User-Agent header; "Appareil inconnu" without one."""
    ua = user_agent or ""
    browser = next((name for key, name in _BROWSERS if key in ua), None)
    system = next((name for key, name in _SYSTEMS if key in ua), None)
    parts = [p for p in (browser, system) if p]
    return " · ".join(parts) if parts else str(_l("Appareil inconnu"))


#: Plural names of structure types, for the indicators' tables.
STRUCTURE_TYPE_NAMES = {
    "ML": _l("Missions locales"),
    "FT": _l("France Travail"),
    "CAP": _l("Cap emploi"),
    "APEC": _l("Apec"),
    "CEP": _l("Conseil en évolution professionnelle"),
    "CIO": _l("Centres d'information et d'orientation"),
    "IJ": _l("Information jeunesse"),
    "SUIO": _l("Services universitaires d'orientation"),
    "TP": _l("Transitions Pro"),
    "CMA": _l("Chambres de métiers"),
    "CCI": _l("Chambres de commerce"),
    "VAE": _l("Points relais VAE"),
    "MDE": _l("Maisons de l'emploi"),
    "CARIF": _l("Carif-Oref"),
}


#: First words of structure names, by the article French puts before them.
_FEMININE = ("mission", "maison", "chambre", "cité", "agence", "plateforme", "permanence")
_MASCULINE = (
    "cio",
    "centre",
    "point",
    "bureau",
    "bij",
    "pij",
    "service",
    "suio",
    "carif",
    "cibc",
    "réseau",
    "pôle",
    "conseil",
)


def _gender(name: str) -> str:
    """``f``, ``m``, ``elided`` (l') or ``none`` (a proper name: "France Travail")."""
    word = name.split(" ", 1)[0].split("-", 1)[0].lower()
    if word in _FEMININE:
        return "f"
    if word in _MASCULINE:
        return "m"
    if word[:1] in "aeiouyéèêâîôûh" and word not in ("france", "hôtel"):
        return "elided"
    return "none"


_AT = {
    "f": _l("à la %(name)s"),
    "m": _l("au %(name)s"),
    "elided": _l("à l'%(name)s"),
    "none": _l("à %(name)s"),
}
_TOWARDS = {
    "f": _l("vers la %(name)s"),
    "m": _l("vers le %(name)s"),
    "elided": _l("vers l'%(name)s"),
    "none": _l("vers %(name)s"),
}


def at_structure(name: str | None) -> str:
    """ "à la Mission locale de Dreux", "au CIO de Dreux", "à l'Apec", "à France Travail"."""
    name = (name or "").strip()
    return str(_AT[_gender(name)]) % {"name": name}


def to_structure(name: str | None) -> str:
    """ "vers la Mission locale de Dreux", "vers le CIO de Dreux", "vers l'Apec"."""
    name = (name or "").strip()
    return str(_TOWARDS[_gender(name)]) % {"name": name}
