"""Directory entries as JSON (API.md's Structures table) and links for the pages."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from passport.directory import hours, vocab
from passport.directory.models import DirectoryService
from passport.directory.services import all_needs
from passport.structures.models import Structure
from passport.trust.canonical import iso_timestamp


def map_url(structure: Structure) -> str | None:
    """An OpenStreetMap search for the entry's address (no map tiles loaded by the page)."""
    parts = [structure.address, " ".join(filter(None, [structure.postal_code, structure.city]))]
    query = ", ".join(p for p in parts if p)
    if not query:
        return None
    return "https://www.openstreetmap.org/search?" + urlencode({"query": query})


def service_json(service: DirectoryService) -> dict:
    return {
        "id": service.id,
        "title": service.title,
        "description": service.description,
        "needs": list(service.needs or []),
        "thematiques": vocab.thematiques_of(list(service.needs or [])),
        "fees": service.fees,
        "fees_details": service.fees_details,
        "access_person": service.access_person,
        "access_advisor": service.access_advisor,
        "contact": {
            "name": service.contact_name,
            "phone": service.contact_phone,
            "email": service.contact_email,
        },
        "updated_at": iso_timestamp(service.updated_at),
    }


def entry_json(s: Structure, at: datetime | None = None) -> dict:
    """A directory entry with its services; ``at`` is the instant for ``open_now``."""
    shown = hours.hours_of(s.opening_hours, at)
    return {
        "code": s.code,
        "name": s.name,
        "type": s.type,
        "department": s.department,
        "needs": list(s.needs or []),
        "all_needs": all_needs(s),
        "is_cep_operator": s.is_cep_operator,
        "description": s.description,
        "address": s.address,
        "postal_code": s.postal_code,
        "city": s.city,
        "commune": s.commune,
        "phone": s.phone,
        "email": s.email,
        "website": s.website,
        "opening_hours": s.opening_hours,
        "opening_hours_text": shown.text,
        "open_now": shown.open_now,
        "publics": list(s.publics or []),
        "age_min": s.age_min,
        "age_max": s.age_max,
        "situations": list(s.situations or []),
        "zone": list(s.zone or []),
        "map_url": map_url(s),
        "services": [service_json(service) for service in s.services],
        "updated_at": iso_timestamp(s.updated_at),
    }
