"""Import the directory from data·inclusion JSON: ``{"structures": [...], "services": [...]}``.

Records are checked with the ``data-inclusion-schema`` models, then with this project's
checks (opening hours, codes). Structures and services are created or updated by ``id``
(the id an earlier import gave, or ``passeport-spro--CODE`` / ``passeport-spro--CODE--N``
for what this app exported). All or nothing: any error is reported by record and field and
nothing is written. An entry whose values do not change is left alone (its ``updated_at``
does not move), so importing an export changes nothing.

Fields that data·inclusion has no place for are read from the ``passeport_spro`` key (see
``datainclusion.py``); without it, the type comes from ``reseaux_porteurs`` (else ``MDE``,
a local partner), the department from the commune, the needs from the thematiques, and the
zone and publics from the structure's services.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from data_inclusion.schema.v1 import Service as DIService
from data_inclusion.schema.v1 import Structure as DIStructure
from pydantic import ValidationError

from passport.directory import checks, territory, vocab
from passport.directory.datainclusion import PREFIX
from passport.directory.models import DirectoryService
from passport.directory.services import SERVICE_FIELDS, add_service, update_entry, update_service
from passport.extensions import db
from passport.passports.models import Situation
from passport.structures.models import STRUCTURE_TYPES, Structure

DEFAULT_TYPE = "MDE"
_CODE = re.compile(r"^[A-Z0-9_-]{1,32}$")


class ImportFailed(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


@dataclass
class Report:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged"
        )


def _pydantic_errors(where: str, exc: ValidationError) -> list[str]:
    return [
        f"{where}.{'.'.join(str(p) for p in e['loc']) or '(record)'}: {e['msg']}"
        for e in exc.errors()
    ]


def _extension(record: dict, where: str, errors: list[str]) -> dict:
    ext = record.get("passeport_spro") or {}
    if not isinstance(ext, dict):
        errors.append(f"{where}.passeport_spro: must be an object")
        return {}
    return ext


def _code_for(record_id: str, ext: dict) -> str:
    if isinstance(ext.get("code"), str):
        return ext["code"].strip().upper()
    if record_id.startswith(PREFIX):
        return record_id.removeprefix(PREFIX).upper()
    tail = re.sub(r"[^A-Z0-9]+", "-", record_id.split("--")[-1].upper()).strip("-")
    return (tail or "S")[:32]


def _find_structure(record_id: str, code: str) -> Structure | None:
    found = db.session.execute(
        db.select(Structure).where(Structure.external_id == record_id)
    ).scalar_one_or_none()
    if found is None and record_id == f"{PREFIX}{code}":
        found = db.session.execute(
            db.select(Structure).where(Structure.code == code)
        ).scalar_one_or_none()
    return found


def _list_of_codes(value, allowed: list[str], name: str, where: str, errors: list[str]):
    if value is None:
        return None
    if not isinstance(value, list) or any(v not in allowed for v in value):
        errors.append(f"{where}.passeport_spro.{name}: unknown code in {value!r}")
        return None
    return list(dict.fromkeys(value))


def _age(value, name: str, where: str, errors: list[str]) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 120:
        errors.append(f"{where}.passeport_spro.{name}: an age from 0 to 120")
        return None
    return value


@dataclass
class _Entry:
    record_id: str
    code: str
    existing: Structure | None
    type: str
    department: str
    values: dict
    is_cep_operator: bool
    structure: Structure | None = None


def _structure_values(
    index: int, record: dict, services: list[dict], errors: list[str]
) -> _Entry | None:
    where = f"structures[{index}]"
    if not isinstance(record, dict):
        errors.append(f"{where}: must be an object")
        return None
    try:
        parsed = DIStructure.model_validate(record)
    except ValidationError as exc:
        errors.extend(_pydantic_errors(where, exc))
        return None
    ext = _extension(record, where, errors)
    code = _code_for(parsed.id, ext)
    if not _CODE.fullmatch(code):
        errors.append(f"{where}.passeport_spro.code: letters, digits, - and _ (32 at most)")
        return None
    type_ = ext.get("type") or vocab.type_of_reseaux(
        [r.value for r in parsed.reseaux_porteurs or []]
    )
    type_ = (type_ or DEFAULT_TYPE).upper() if isinstance(type_, str) or type_ is None else ""
    if type_ not in STRUCTURE_TYPES:
        errors.append(f"{where}.passeport_spro.type: unknown structure type {type_!r}")
    commune = None
    if parsed.code_insee:
        try:
            commune = checks.commune_code(parsed.code_insee)
        except ValueError as exc:
            errors.append(f"{where}.code_insee: {exc}")
    found = territory.commune(commune)
    department = ext.get("department") or (found.department if found else None)
    if not isinstance(department, str) or not territory.is_department(department):
        errors.append(f"{where}.code_insee: a commune (or passeport_spro.department) is needed")
        department = ""
    hours = None
    if parsed.horaires_accueil:
        try:
            hours = checks.opening_hours(parsed.horaires_accueil)
        except ValueError as exc:
            errors.append(f"{where}.horaires_accueil: {exc}")
    own = [s for s in services if isinstance(s, dict) and s.get("structure_id") == parsed.id]
    zone = ext.get("zone")
    if zone is None:
        zone = [c for s in own for c in (s.get("zone_eligibilite") or [])]
    try:
        zone = checks.zone_codes(zone) if isinstance(zone, list) else None
    except ValueError as exc:
        errors.append(f"{where}.passeport_spro.zone: {exc}")
    publics = ext.get("publics")
    if publics is None:
        publics = [p for s in own for p in (s.get("publics") or []) if p != "tous-publics"]
    values = {
        "name": parsed.nom,
        "description": ext.get("description", parsed.description),
        "address": parsed.adresse,
        "postal_code": parsed.code_postal,
        "commune": commune,
        "city": parsed.commune,
        "phone": parsed.telephone,
        # as written: pydantic would normalise them (a "/" after a bare host)
        "email": record.get("courriel") if parsed.courriel else None,
        "website": record.get("site_web") if parsed.site_web else None,
        "opening_hours": hours,
        "publics": _list_of_codes(
            list(dict.fromkeys(publics)), vocab.PUBLIC_CODES, "publics", where, errors
        )
        or [],
        "age_min": _age(ext.get("age_min"), "age_min", where, errors),
        "age_max": _age(ext.get("age_max"), "age_max", where, errors),
        "situations": _list_of_codes(
            ext.get("situations", []), [s.value for s in Situation], "situations", where, errors
        )
        or [],
        "zone": zone or [],
        "needs": _list_of_codes(ext.get("needs", []), vocab.NEED_CODES, "needs", where, errors)
        or [],
    }
    try:
        checks.age_range(values["age_min"], values["age_max"])
    except ValueError as exc:
        errors.append(f"{where}.passeport_spro.age_min: {exc}")
    cep = ext.get("is_cep_operator")
    return _Entry(
        record_id=parsed.id,
        code=code,
        existing=_find_structure(parsed.id, code),
        type=type_,
        department=department,
        values=values,
        is_cep_operator=cep if isinstance(cep, bool) else STRUCTURE_TYPES.get(type_, False),
    )


def _service_values(index: int, record: dict, errors: list[str]) -> tuple[str, str, dict] | None:
    where = f"services[{index}]"
    if not isinstance(record, dict):
        errors.append(f"{where}: must be an object")
        return None
    try:
        parsed = DIService.model_validate(record)
    except ValidationError as exc:
        errors.extend(_pydantic_errors(where, exc))
        return None
    ext = _extension(record, where, errors)
    needs = ext.get("needs")
    if needs is None:
        needs = vocab.needs_of([t.value for t in parsed.thematiques or []])
    needs = _list_of_codes(needs, vocab.NEED_CODES, "needs", where, errors) or []
    values = {
        "title": parsed.nom,
        "description": parsed.description,
        "needs": needs,
        "fees": parsed.frais.value if parsed.frais else None,
        "fees_details": parsed.frais_precisions,
        "access_person": parsed.mobilisation_precisions,
        "access_advisor": ext.get("access_advisor"),
        "contact_name": parsed.contact_nom_prenom,
        "contact_phone": ext.get("contact_phone", parsed.telephone),
        "contact_email": ext["contact_email"]
        if "contact_email" in ext
        else (record.get("courriel") if parsed.courriel else None),
    }
    for name in ("access_advisor", "contact_phone", "contact_email"):
        if values[name] is not None and not isinstance(values[name], str):
            errors.append(f"{where}.passeport_spro.{name}: must be a string")
    return parsed.id, parsed.structure_id, values


def _find_service(structure: Structure | None, record_id: str) -> DirectoryService | None:
    found = db.session.execute(
        db.select(DirectoryService).where(DirectoryService.external_id == record_id)
    ).scalar_one_or_none()
    if found is not None or structure is None:
        return found
    prefix = f"{PREFIX}{structure.code}--"
    if record_id.startswith(prefix) and record_id.removeprefix(prefix).isdigit():
        candidate = db.session.get(DirectoryService, int(record_id.removeprefix(prefix)))
        if candidate is not None and candidate.structure_id == structure.id:
            return candidate
    return None


def import_directory(data) -> Report:
    """Create or update every record, or raise ImportFailed and write nothing."""
    if not isinstance(data, dict) or not set(data) & {"structures", "services"}:
        raise ImportFailed(['(file): an object {"structures": [...], "services": [...]}'])
    structures = data.get("structures") or []
    services = data.get("services") or []
    if not isinstance(structures, list) or not isinstance(services, list):
        raise ImportFailed(["(file): structures and services must be lists"])
    errors: list[str] = []
    entries = [_structure_values(i, r, services, errors) for i, r in enumerate(structures)]
    by_id = {e.record_id: e for e in entries if e is not None}
    if len(by_id) != len([e for e in entries if e is not None]):
        errors.append("structures: the same id twice")
    parsed_services = [_service_values(i, r, errors) for i, r in enumerate(services)]
    for index, item in enumerate(parsed_services):
        if item is None:
            continue
        _sid, structure_id, _values = item
        if structure_id not in by_id and _existing_by_record_id(structure_id) is None:
            errors.append(f"services[{index}].structure_id: no structure {structure_id!r}")
    if errors:
        raise ImportFailed(errors)

    report = Report()
    for entry in by_id.values():
        structure = entry.existing
        if structure is None:
            if db.session.execute(
                db.select(Structure.id).where(Structure.code == entry.code)
            ).first():
                raise ImportFailed([f"structures: code {entry.code} is taken by another entry"])
            structure = Structure(
                code=entry.code,
                name=entry.values["name"],
                type=entry.type,
                department=entry.department,
                is_cep_operator=entry.is_cep_operator,
                external_id=None if entry.record_id == f"{PREFIX}{entry.code}" else entry.record_id,
            )
            db.session.add(structure)
            db.session.flush()
            update_entry(structure, entry.values)
            report.created.append(entry.code)
        else:
            basics: dict[str, object] = {
                "type": entry.type,
                "department": entry.department,
                "is_cep_operator": entry.is_cep_operator,
            }
            changed = any(getattr(structure, k) != v for k, v in basics.items())
            for name, value in basics.items():
                setattr(structure, name, value)
            changed = update_entry(structure, entry.values) or changed
            (report.updated if changed else report.unchanged).append(structure.code)
        entry.structure = structure
    for item in parsed_services:
        if item is None:  # errors were raised above: never here
            continue
        record_id, structure_id, values = item
        owner = by_id[structure_id].structure if structure_id in by_id else None
        owner = owner or _existing_by_record_id(structure_id)
        if owner is None:  # checked above
            raise ImportFailed([f"services: no structure {structure_id!r}"])
        service = _find_service(owner, record_id)
        own_id = record_id.startswith(f"{PREFIX}{owner.code}--")
        if service is None:
            service = add_service(owner, **values, external_id=None if own_id else record_id)
            report.created.append(record_id)
        elif update_service(service, {k: values[k] for k in SERVICE_FIELDS}):
            report.updated.append(record_id)
        else:
            report.unchanged.append(record_id)
    db.session.flush()
    return report


def _existing_by_record_id(record_id: str) -> Structure | None:
    code = record_id.removeprefix(PREFIX).upper() if record_id.startswith(PREFIX) else ""
    return _find_structure(record_id, code)
