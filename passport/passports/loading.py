"""Every record of a passport in one query, as ordinary persistent ORM objects.

One ``UNION ALL`` over the record tables (a slot per column name and type, so the columns
every table shares share a slot; a typed ``CAST(NULL AS ...)`` where a table has no such
column, as PostgreSQL wants), joined once
with the advisor, the issuing structure and the referral's target structure. Each row
becomes the object an ORM query would have given (same identity map, same column types:
free texts decrypted, timestamps in UTC), so serializers and templates read records,
issuers and a referral's history without another query: a passport read costs the same
whatever the passport's size (issue 12). The corrections of the loaded records are one
more branch of the same union, and fill each record's ``corrections``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import cast, literal_column, null, union_all
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from passport.accounts.models import User
from passport.extensions import db
from passport.passports.models import (
    Correctable,
    Correction,
    CpfStatement,
    Reception,
    Referral,
    ReferralEvent,
    Training,
)
from passport.structures.models import Structure

#: The record tables of each section of a passport.
SECTION_MODELS: dict[str, tuple[Any, ...]] = {
    "receptions": (Reception,),
    "referrals": (Referral, ReferralEvent),
    "trainings": (Training,),
    "cpf": (CpfStatement,),
}
RECORD_MODELS: tuple[Any, ...] = (
    Reception,
    Referral,
    ReferralEvent,
    Training,
    CpfStatement,
    Correction,
)

#: Joined once per row: (alias, model, the record slot that holds its id).
_JOINS = (
    ("ia", User, "issuer_advisor_id__integer"),
    ("si", Structure, "issuer_structure_id__integer"),
    ("st", Structure, "to_structure_id__integer"),
)


#: The record's relationship that each join fills.
_RELATION = {"ia": "issuer_advisor", "si": "issuer_structure", "st": "to_structure"}


def _slot(column) -> str:
    return f"{column.name}__{type(column.type).__name__}".lower()


def _slots() -> dict[str, object]:
    slots: dict[str, object] = {}
    for model in RECORD_MODELS:
        for column in model.__table__.columns:
            slots.setdefault(_slot(column), column.type)
    return slots


def _attributes(model) -> list[tuple[str, str]]:
    """(attribute name, slot) of each mapped column of ``model``."""
    mapper = db.inspect(model)
    return [(prop.key, _slot(prop.columns[0])) for prop in mapper.column_attrs]


def _adopt(model, values: dict):
    """The persistent object with these column values (the session's own if it has one)."""
    existing = db.session.identity_map.get(db.session.identity_key(model, values["id"]))
    if existing is not None:
        return existing
    obj = model(**values)
    make_transient_to_detached(obj)  # as if loaded: no pending change, nothing expired
    db.session.add(obj)
    return obj


def load_records(passport_id: int, sections: Iterable[str]) -> dict[Any, list]:
    """The passport's current records of ``sections`` (superseded versions left out), by
    model, in one query; each ``Referral.events`` is filled in, oldest first."""
    wanted = set(sections)
    models: list[Any] = [
        m for section, ms in SECTION_MODELS.items() if section in wanted for m in ms
    ]
    found: dict[Any, list] = {model: [] for model in models}
    if not models:
        return found
    corrected_kinds = [m.kind for m in models if issubclass(m, Correctable)]
    if corrected_kinds:
        models.append(Correction)
        found[Correction] = []
    slots = _slots()
    branches = []
    for model in models:
        own = {_slot(c): c for c in model.__table__.columns}
        columns: list[Any] = [literal_column(f"'{model.__tablename__}'").label("record_table")]
        columns += [
            (own[slot] if slot in own else cast(null(), type_)).label(slot)  # type: ignore[arg-type]
            for slot, type_ in slots.items()
        ]
        conditions = [model.passport_id == passport_id]
        if hasattr(model, "superseded"):
            conditions.append(model.superseded.is_(False))
        if model is Correction:
            conditions.append(Correction.target_kind.in_(corrected_kinds))
        branches.append(db.select(*columns).where(*conditions))
    records = union_all(*branches).subquery("records")
    joined: Any = records
    extra: list[Any] = []
    joins: list[Any] = []
    for alias, model, slot in _JOINS:
        table = model.__table__.alias(alias)
        joined = joined.outerjoin(table, table.c.id == records.c[slot])
        extra += [c.label(f"{alias}__{c.name}") for c in table.c]
        names = [
            (prop.key, f"{alias}__{prop.columns[0].name}")
            for prop in db.inspect(model).column_attrs
        ]
        joins.append((alias, model, names))
    statement = db.select(records, *extra).select_from(joined)
    by_table = {model.__tablename__: (model, _attributes(model)) for model in models}
    for row in db.session.execute(statement).mappings():
        model, attributes = by_table[row["record_table"]]
        record = _adopt(model, {key: row[slot] for key, slot in attributes})
        found[model].append(record)
        for alias, related, names in joins:
            attribute = _RELATION[alias]
            if not hasattr(model, attribute):
                continue
            value = None
            if row[f"{alias}__id"] is not None:
                value = _adopt(related, {key: row[label] for key, label in names})
            # Held by the record (the identity map alone holds objects weakly).
            set_committed_value(record, attribute, value)
    if Referral in found:
        history: dict[int, list] = {referral.id: [] for referral in found[Referral]}
        for event in sorted(found[ReferralEvent], key=lambda e: e.id):
            history.setdefault(event.referral_id, []).append(event)
        for referral in found[Referral]:
            set_committed_value(referral, "events", history[referral.id])
    if Correction in found:
        by_target: dict[tuple[str, int], list] = {}
        for correction in sorted(found[Correction], key=lambda c: c.seq or 0):
            by_target.setdefault((correction.target_kind, correction.target_id), []).append(
                correction
            )
        for model in models:
            if issubclass(model, Correctable):
                for record in found[model]:
                    set_committed_value(
                        record, "corrections", by_target.get((record.kind, record.id), [])
                    )
    return found
