"""Every record of a passport in one query, as ordinary persistent ORM objects.

One ``UNION ALL`` over the record tables (a slot per column name and type, so the columns
every table shares share a slot; a typed ``CAST(NULL AS ...)`` where a table has no such
column, as PostgreSQL wants), joined once with the advisor, the issuing structure and the
referral's target structure. Each row becomes the object an ORM query would have given (same
identity map, same column types: free texts decrypted, timestamps in UTC), so serializers and
templates read records, issuers and a referral's history without another query: a passport
read costs the same whatever the passport's size (issue 12).

Why it is fast: the rows are read by position into persistent objects by ``passport.rows``
(untyped columns converted with each column's own result processor, shared objects built
once, no ORM loading set-up); the statement and the positions are worked out once per set of
sections.

A new record kind joins the load by being named in ``SECTION_MODELS`` (and
``RECORD_MODELS``); its ``issuer_*`` and ``to_structure`` relationships are filled when it
has them (``JOINS``). The corrections of the loaded records are one more branch of the same
union, and fill each record's ``corrections``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, cast, literal_column, null, union_all
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
from passport.rows import Builder, Shape, execute, shape, untyped
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

#: Joined once per row: (alias, model, the record's column that holds its id, the record's
#: relationship that the joined object fills).
JOINS: tuple[tuple[str, Any, str, str], ...] = (
    ("ia", User, "issuer_advisor_id", "issuer_advisor"),
    ("si", Structure, "issuer_structure_id", "issuer_structure"),
    ("st", Structure, "to_structure_id", "to_structure"),
)


def _slot(column) -> str:
    return f"{column.name}__{type(column.type).__name__}".lower()


def _slots() -> dict[str, Any]:
    """Every (column name, type) of the record tables: one column of the union each."""
    slots: dict[str, Any] = {}
    for model in RECORD_MODELS:
        for column in model.__table__.columns:
            slots.setdefault(_slot(column), column)
    return slots


@dataclass(frozen=True)
class _Plan:
    """The statement for a set of sections and where each table's columns are in its rows."""

    statement: Any
    records: dict[str, Shape]  # table name -> shape (position 0 holds the table name)
    #: table name -> (relationship, shape of the joined object) of each join the model has
    joins: dict[str, tuple[tuple[str, Shape], ...]]


_PLANS: dict[tuple[str, ...], _Plan] = {}


def _plan(models: tuple[Any, ...]) -> _Plan:
    """The union of ``models``' tables joined with the related tables, worked out once."""
    key = tuple(m.__tablename__ for m in models)
    plan = _PLANS.get(key)
    if plan is not None:
        return plan
    corrected_kinds = [m.kind for m in models if issubclass(m, Correctable)]
    slots = _slots()
    passport_id = bindparam("passport_id", type_=db.Integer)
    branches = []
    for model in models:
        own = {_slot(c): c for c in model.__table__.columns}
        columns: list[Any] = [literal_column(f"'{model.__tablename__}'").label("record_table")]
        columns += [
            (own[slot] if slot in own else cast(null(), column.type)).label(slot)
            for slot, column in slots.items()
        ]
        conditions = [model.passport_id == passport_id]
        if hasattr(model, "superseded"):
            conditions.append(model.superseded.is_(False))
        if model is Correction:
            conditions.append(Correction.target_kind.in_(corrected_kinds))
        branches.append(db.select(*columns).where(*conditions))
    records = union_all(*branches).subquery("records")
    # Untyped columns: the rows come back as the driver gives them, converted below.
    selected: list[Any] = [untyped(c, c.name) for c in records.c]
    joined: Any = records
    joined_shapes = []
    for alias, model, column_name, relation in JOINS:
        slot = next((s for s in slots if s.split("__")[0] == column_name), None)
        if slot is None:
            continue
        table = model.__table__.alias(alias)
        joined = joined.outerjoin(table, table.c.id == records.c[slot])
        first = len(selected)
        selected += [untyped(c, f"{alias}__{c.name}") for c in table.c]
        positions = {c.name: first + i for i, c in enumerate(table.c)}
        joined_shapes.append((relation, shape(model, positions, lambda c: c.name)))
    positions = {c.name: i for i, c in enumerate(records.c)}
    plan = _Plan(
        statement=db.select(*selected).select_from(joined),
        records={m.__tablename__: shape(m, positions, _slot) for m in models},
        joins={
            m.__tablename__: tuple((rel, s) for rel, s in joined_shapes if hasattr(m, rel))
            for m in models
        },
    )
    _PLANS[key] = plan
    return plan


def load_records(passport_id: int, sections: Iterable[str]) -> dict[Any, list]:
    """The passport's current records of ``sections`` (superseded versions left out), by
    model, in one query; each ``Referral.events`` is filled in, oldest first."""
    wanted = set(sections)
    models = tuple(m for section, ms in SECTION_MODELS.items() if section in wanted for m in ms)
    found: dict[Any, list] = {model: [] for model in models}
    if not models:
        return found
    if any(issubclass(m, Correctable) for m in models):
        models += (Correction,)
        found[Correction] = []
    plan = _plan(models)
    session, result = execute(plan.statement, {"passport_id": passport_id})
    builder = Builder(session, result)
    for row in result:
        table = row[0]
        shape = plan.records[table]
        relations: dict[str, Any] = {}
        for relation, joined in plan.joins[table]:
            if row[joined.id_at] is None:
                relations[relation] = None
            else:
                relations[relation] = builder.build(joined, row)
        record = builder.build(shape, row, relations)
        found[shape.model].append(record)
    if Referral in found:
        history: dict[int, list] = {referral.id: [] for referral in found[Referral]}
        by_id = {referral.id: referral for referral in found[Referral]}
        for event in sorted(found[ReferralEvent], key=lambda e: e.id):
            history.setdefault(event.referral_id, []).append(event)
            if event.referral_id in by_id:
                set_committed_value(event, "referral", by_id[event.referral_id])
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
