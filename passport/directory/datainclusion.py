"""The directory in the data·inclusion schema v1 (package ``data-inclusion-schema``).

Out: ``structure_record`` / ``service_record`` build plain dicts that the package's
``Structure`` and ``Service`` models accept (the tests validate every answer). Fields that
the schema has no place for (structure type, NEED codes, age range, situations, how an
advisor refers someone) travel under a ``passeport_spro`` key, which the schema's models
ignore, so that an export re-imported here changes nothing.

In: ``import_directory`` (in ``directory.importer``) reads the same shape.
"""

from __future__ import annotations

from datetime import UTC, date

from passport.directory import vocab
from passport.directory.models import DirectoryService
from passport.structures.models import Structure

SOURCE = "passeport-spro"
PREFIX = f"{SOURCE}--"


def structure_id(s: Structure) -> str:
    return s.external_id or f"{PREFIX}{s.code}"


def service_id(service: DirectoryService) -> str:
    return service.external_id or f"{PREFIX}{service.structure.code}--{service.id}"


def _date_maj(s: Structure | DirectoryService) -> str:
    # The schema refuses a date after its own clock's today: never ahead of the server's.
    day = min(s.updated_at.astimezone(UTC).date(), date.today())
    return day.isoformat()


def _zone(s: Structure) -> list[str]:
    return list(s.zone) if s.zone else [s.department]


def _clean(record: dict) -> dict:
    return {k: v for k, v in record.items() if v not in (None, "", [])}


def structure_record(s: Structure) -> dict:
    reseau = vocab.TYPE_RESEAUX.get(s.type)
    description = s.description if s.description and len(s.description.strip()) >= 5 else None
    record = _clean(
        {
            "source": SOURCE,
            "id": structure_id(s),
            "nom": s.name,
            "date_maj": _date_maj(s),
            "description": description,
            "commune": s.city,
            "code_postal": s.postal_code,
            "code_insee": s.commune,
            "adresse": s.address,
            "telephone": s.phone,
            "courriel": s.email,
            "site_web": s.website,
            "horaires_accueil": s.opening_hours,
            "reseaux_porteurs": [reseau.value] if reseau else None,
        }
    )
    record["passeport_spro"] = {
        "code": s.code,
        "type": s.type,
        "department": s.department,
        "is_cep_operator": s.is_cep_operator,
        "needs": list(s.needs or []),
        "description": s.description,
        "publics": list(s.publics or []),
        "age_min": s.age_min,
        "age_max": s.age_max,
        "situations": list(s.situations or []),
        "zone": list(s.zone or []),
    }
    return record


def _publics_precisions(s: Structure) -> str | None:
    parts = []
    if s.age_min is not None and s.age_max is not None:
        parts.append(f"De {s.age_min} à {s.age_max} ans.")
    elif s.age_min is not None:
        parts.append(f"À partir de {s.age_min} ans.")
    elif s.age_max is not None:
        parts.append(f"Jusqu'à {s.age_max} ans.")
    return " ".join(parts) or None


def service_record(service: DirectoryService) -> dict:
    s = service.structure
    needs = list(service.needs or [])
    frais = service.fees if service.fees in vocab.FRAIS_CODES else None
    mobilisable = []
    if service.access_person:
        mobilisable.append("usagers")
    if service.access_advisor:
        mobilisable.append("professionnels")
    record = _clean(
        {
            "source": SOURCE,
            "structure_id": structure_id(s),
            "id": service_id(service),
            "nom": service.title,
            "description": service.description,
            "date_maj": _date_maj(service),
            "thematiques": vocab.thematiques_of(needs) or None,
            "frais": frais,
            "frais_precisions": service.fees_details,
            "publics": list(s.publics or []) or ["tous-publics"],
            "publics_precisions": _publics_precisions(s),
            "commune": s.city,
            "code_postal": s.postal_code,
            "code_insee": s.commune,
            "adresse": s.address,
            "telephone": service.contact_phone or s.phone,
            "courriel": service.contact_email or s.email,
            "modes_accueil": ["en-presentiel"],
            "zone_eligibilite": _zone(s),
            "contact_nom_prenom": service.contact_name,
            "mobilisable_par": mobilisable or None,
            "mobilisation_precisions": service.access_person,
            "horaires_accueil": s.opening_hours,
        }
    )
    record["passeport_spro"] = {
        "needs": needs,
        "access_advisor": service.access_advisor,
        "contact_phone": service.contact_phone,
        "contact_email": service.contact_email,
        "position": service.position,
    }
    return record


def export(structures: list[Structure]) -> dict:
    """``{"structures": [...], "services": [...]}`` for these entries (services loaded)."""
    return {
        "structures": [structure_record(s) for s in structures],
        "services": [service_record(x) for s in structures for x in s.services],
    }
