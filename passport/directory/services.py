"""The directory: search, entries and their services, edits that move ``updated_at``.

Services take plain values and ``flush()``; the caller commits. Values are checked by the
caller's schema (API) or form (pages) with the checks of ``directory.checks``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String, cast, exists, false, func, or_, select
from sqlalchemy.orm import selectinload

from passport.db import utcnow
from passport.directory import territory
from passport.directory.models import DirectoryService
from passport.extensions import db
from passport.pagination import Page, paginate
from passport.structures.models import Structure

#: Fields of an entry that its structure admin (or an admin) may change.
ENTRY_FIELDS = (
    "name",
    "description",
    "address",
    "postal_code",
    "commune",
    "city",
    "phone",
    "email",
    "website",
    "opening_hours",
    "publics",
    "age_min",
    "age_max",
    "situations",
    "zone",
    "needs",
)
SERVICE_FIELDS = (
    "title",
    "description",
    "needs",
    "fees",
    "fees_details",
    "access_person",
    "access_advisor",
    "contact_name",
    "contact_phone",
    "contact_email",
)


@dataclass(frozen=True)
class Filters:
    """A directory search; every part optional."""

    q: str | None = None
    need: str | None = None
    department: str | None = None
    commune: str | None = None
    type: str | None = None


def _json_has(column, value: str):
    """A JSON list column holds ``value`` (text match on the serialised list: portable)."""
    return cast(column, String).like(f'%"{value}"%')


def covering_codes(commune_code: str) -> list[str]:
    """The zone codes that cover a commune: itself, its EPCI, its department, France."""
    found = territory.commune(commune_code)
    if found is None:
        return []
    codes = [found.code, found.department, "france"]
    if found.epci:
        codes.append(found.epci)
    return codes


def _search(filters: Filters):
    query = select(Structure).where(Structure.active.is_(True))  # deactivated: out
    if filters.department:
        query = query.where(Structure.department == filters.department.upper())
    if filters.type:
        query = query.where(Structure.type == filters.type)
    if filters.need:
        query = query.where(
            or_(
                _json_has(Structure.needs, filters.need),
                exists().where(
                    DirectoryService.structure_id == Structure.id,
                    _json_has(DirectoryService.needs, filters.need),
                ),
            )
        )
    if filters.commune:
        found = territory.commune(filters.commune)
        if found is None:
            return query.where(false())
        zone_empty = cast(Structure.zone, String).in_(["[]", "null"])
        query = query.where(
            or_(
                *[_json_has(Structure.zone, code) for code in covering_codes(found.code)],
                zone_empty & (Structure.department == found.department),
            )
        )
    if filters.q and filters.q.strip():
        pattern = f"%{filters.q.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(Structure.name).like(pattern),
                func.lower(Structure.city).like(pattern),
                func.lower(Structure.description).like(pattern),
                exists().where(
                    DirectoryService.structure_id == Structure.id,
                    or_(
                        func.lower(DirectoryService.title).like(pattern),
                        func.lower(DirectoryService.description).like(pattern),
                    ),
                ),
            )
        )
    return query.options(selectinload(Structure.services)).order_by(Structure.name, Structure.id)


def search(filters: Filters) -> list[Structure]:
    """Every entry that fits, by name, services loaded (two queries whatever the count)."""
    return list(db.session.execute(_search(filters)).scalars().unique())


def search_page(filters: Filters, page: int, per_page: int = 20) -> Page:
    """One page of the entries that fit (three queries: count, page, services)."""
    return paginate(_search(filters), page, per_page)


def get_entry(code: str) -> Structure | None:
    return db.session.execute(
        select(Structure)
        .where(Structure.code == code.strip().upper())
        .options(selectinload(Structure.services))
    ).scalar_one_or_none()


def _fill_from_commune(structure: Structure) -> None:
    found = territory.commune(structure.commune)
    if found is None:
        return
    if not structure.city:
        structure.city = found.name
    if not structure.postal_code and found.postal_codes:
        structure.postal_code = found.postal_codes[0]


def update_entry(structure: Structure, changes: dict) -> bool:
    """Apply the changes of ``ENTRY_FIELDS``; ``updated_at`` moves on any edit. Changed?"""
    changed = False
    for name, value in changes.items():
        if name not in ENTRY_FIELDS:
            raise KeyError(name)
        if getattr(structure, name) != value:
            setattr(structure, name, value)
            changed = True
    if changed:
        _fill_from_commune(structure)
        touch(structure)
    db.session.flush()
    return changed


def touch(structure: Structure) -> None:
    """The entry was checked or edited now."""
    structure.updated_at = utcnow()


def get_service(structure: Structure, service_id: int) -> DirectoryService | None:
    if not 0 < service_id <= 2**31 - 1:
        return None
    service = db.session.get(DirectoryService, service_id)
    if service is None or service.structure_id != structure.id:
        return None
    return service


def add_service(structure: Structure, **values) -> DirectoryService:
    unknown = set(values) - set(SERVICE_FIELDS) - {"external_id"}
    if unknown:
        raise KeyError(", ".join(sorted(unknown)))
    position = max((s.position for s in structure.services), default=-1) + 1
    service = DirectoryService(structure=structure, position=position, **values)
    db.session.add(service)
    touch(structure)
    db.session.flush()
    return service


def update_service(service: DirectoryService, changes: dict) -> bool:
    changed = False
    for name, value in changes.items():
        if name not in SERVICE_FIELDS:
            raise KeyError(name)
        if getattr(service, name) != value:
            setattr(service, name, value)
            changed = True
    if changed:
        service.updated_at = utcnow()
        touch(service.structure)
    db.session.flush()
    return changed


def delete_service(service: DirectoryService) -> None:
    structure = service.structure
    structure.services.remove(service)
    touch(structure)
    db.session.flush()


def all_needs(structure: Structure) -> list[str]:
    """The NEED codes an entry covers: its own and its services', without repeats."""
    needs: dict[str, None] = dict.fromkeys(structure.needs or [])
    for service in structure.services:
        needs.update(dict.fromkeys(service.needs or []))
    return list(needs)
