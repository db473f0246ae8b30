"""Every record of a passport in one query, as ordinary persistent ORM objects.

One ``UNION ALL`` over the record tables (a slot per column name and type, so the columns
every table shares share a slot; a typed ``CAST(NULL AS ...)`` where a table has no such
column, as PostgreSQL wants), joined once with the advisor, the issuing structure and the
referral's target structure. Each row becomes the object an ORM query would have given (same
identity map, same column types: free texts decrypted, timestamps in UTC), so serializers and
templates read records, issuers and a referral's history without another query: a passport
read costs the same whatever the passport's size (issue 12).

Why it is fast: the rows come back without SQLAlchemy's per-column type processing (the
outer select is untyped), and each row is read by position, converting only the columns of
its own table with that column's own result processor (the one an ORM query would apply);
an advisor or a structure that many records share is built once, from the first row that
names it; a new object enters the session's identity map as the ORM's own loading puts it
there (no ``Session.add``, no cascade walk, no history to reset). The statement and the
positions are worked out once per set of sections.

A new record kind joins the load by being named in ``SECTION_MODELS`` (and
``RECORD_MODELS``); its ``issuer_*`` and ``to_structure`` relationships are filled when it
has them (``JOINS``). The corrections of the loaded records are one more branch of the same
union, and fill each record's ``corrections``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, cast, literal_column, null, type_coerce, union_all
from sqlalchemy.orm.attributes import instance_state, set_committed_value
from sqlalchemy.types import NullType

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

#: Joined once per row: (alias, model, the record's column that holds its id, the record's
#: relationship that the joined object fills).
JOINS: tuple[tuple[str, Any, str, str], ...] = (
    ("ia", User, "issuer_advisor_id", "issuer_advisor"),
    ("si", Structure, "issuer_structure_id", "issuer_structure"),
    ("st", Structure, "to_structure_id", "to_structure"),
)

Converter = Callable[[Any], Any] | None


def _slot(column) -> str:
    return f"{column.name}__{type(column.type).__name__}".lower()


def _slots() -> dict[str, Any]:
    """Every (column name, type) of the record tables: one column of the union each."""
    slots: dict[str, Any] = {}
    for model in RECORD_MODELS:
        for column in model.__table__.columns:
            slots.setdefault(_slot(column), column)
    return slots


@dataclass(frozen=True, eq=False)  # hashed by identity: a key of the converters
class _Shape:
    """How to build one model's object from a row: (attribute, position, column) each."""

    model: Any
    fields: tuple[tuple[str, int, Any], ...]
    id_at: int


@dataclass(frozen=True)
class _Plan:
    """The statement for a set of sections and where each table's columns are in its rows."""

    statement: Any
    records: dict[str, _Shape]  # table name -> shape (position 0 holds the table name)
    #: table name -> (relationship, shape of the joined object) of each join the model has
    joins: dict[str, tuple[tuple[str, _Shape], ...]]


_PLANS: dict[tuple[str, ...], _Plan] = {}


def _shape(model, positions: dict[str, int], name_of: Callable[[Any], str]) -> _Shape:
    fields = []
    for prop in db.inspect(model).column_attrs:
        column = prop.columns[0]
        fields.append((prop.key, positions[name_of(column)], column))
    id_at = next(at for key, at, _ in fields if key == "id")
    return _Shape(model, tuple(fields), id_at)


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
    selected: list[Any] = [type_coerce(c, NullType()).label(c.name) for c in records.c]
    joined: Any = records
    joined_shapes = []
    for alias, model, column_name, relation in JOINS:
        slot = next((s for s in slots if s.split("__")[0] == column_name), None)
        if slot is None:
            continue
        table = model.__table__.alias(alias)
        joined = joined.outerjoin(table, table.c.id == records.c[slot])
        first = len(selected)
        selected += [type_coerce(c, NullType()).label(f"{alias}__{c.name}") for c in table.c]
        positions = {c.name: first + i for i, c in enumerate(table.c)}
        joined_shapes.append((relation, _shape(model, positions, lambda c: c.name)))
    positions = {c.name: i for i, c in enumerate(records.c)}
    plan = _Plan(
        statement=db.select(*selected).select_from(joined),
        records={m.__tablename__: _shape(m, positions, _slot) for m in models},
        joins={
            m.__tablename__: tuple((rel, s) for rel, s in joined_shapes if hasattr(m, rel))
            for m in models
        },
    )
    _PLANS[key] = plan
    return plan


#: (shape, dialect class, the driver's type codes) -> (attribute, position, converter) each
_CONVERTERS: dict[tuple[Any, ...], tuple[tuple[str, int, Converter], ...]] = {}


class _Builder:
    """Rows to persistent objects for one execution (the driver's column types known)."""

    def __init__(self, session, dialect, description) -> None:
        self.session = session
        self.identity_map = session.identity_map
        self.dialect = dialect
        self.codes = tuple(d[1] for d in description)
        self.converters: dict[_Shape, tuple[tuple[str, int, Converter], ...]] = {}
        self.seen: dict[tuple[Any, Any], Any] = {}

    def _fields(self, shape: _Shape) -> tuple[tuple[str, int, Converter], ...]:
        fields = self.converters.get(shape)
        if fields is None:
            key = (shape, type(self.dialect), self.codes)
            fields = _CONVERTERS.get(key)
            if fields is None:
                fields = tuple(
                    (name, at, column.type.dialect_impl(self.dialect).result_processor(
                        self.dialect, self.codes[at]
                    ))
                    for name, at, column in shape.fields
                )  # fmt: skip
                _CONVERTERS[key] = fields
            self.converters[shape] = fields
        return fields

    def build(self, shape: _Shape, row, relations: dict[str, Any] | None = None):
        """The object of ``row`` (the session's own if it already has it), with its
        ``relations`` loaded."""
        model = shape.model
        ident = row[shape.id_at]
        existing = self.seen.get((model, ident))
        if existing is None:
            existing = self.identity_map.get((model, (ident,), None))
        if existing is not None:  # given the joined objects all the same
            for relation, value in (relations or {}).items():
                set_committed_value(existing, relation, value)
            self.seen[(model, ident)] = existing
            return existing
        obj = model.__mapper__.class_manager.new_instance()
        values = obj.__dict__
        for key, at, convert in self._fields(shape):
            value = row[at]
            values[key] = value if convert is None or value is None else convert(value)
        if relations:
            values.update(relations)  # loaded, as a joined load would
        # Persistent in the session, as the ORM's own loading makes a new row's object
        # (``orm.loading._instance``): its identity key, the session, the identity map. A
        # fresh state has no history to reset, and nothing to cascade: cheaper than
        # ``make_transient_to_detached`` + ``Session.add`` (a fifth of the read's time).
        state = instance_state(obj)
        identity = (model, (ident,), None)
        state.key = identity
        state.identity_token = None
        state.session_id = self.session.hash_key
        self.identity_map._add_unpresent(state, identity)
        self.seen[(model, ident)] = obj
        return obj


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
    session = db.session()
    result = session.connection().execute(plan.statement, {"passport_id": passport_id})
    builder = _Builder(session, session.get_bind().dialect, result.cursor.description)
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
