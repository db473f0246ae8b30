"""Rows of a hand-written select into ordinary persistent ORM objects, read by position.

The hot reads of the API (a passport's records, the caller's token or key with its account)
select whole tables joined in one statement and build the objects an ORM query would have
given, without the ORM's per-query loading set-up, which costs more than the query itself
for a handful of rows (issue 12):

- the selected columns are untyped (``untyped``), so rows come back as the driver gives them;
  each object's columns are converted with that column's own result processor (the one an
  ORM query would apply), worked out once per statement shape and driver;
- an object that several rows name (an advisor, a structure) is built once, from the first
  row that names it, or taken from the session's identity map when it is already there;
- a new object enters the identity map as the ORM's own loading puts it there, persistent,
  with no history: reading it, lazy-loading its other relationships and changing it behave
  as for any loaded object.

``whole(model, table, first)`` gives the columns of a table (or an alias of it) at position
``first`` and the ``Shape`` that reads them back (``wholes`` for several tables side by
side); ``execute(statement, params)`` runs the
statement as an ORM query would (after the session's autoflush, on its connection);
``Builder(session, result).build(shape, row, relations)`` gives the object, with the named
relationships set as loaded; ``first(statement, params)`` is the two for a one-row lookup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import type_coerce
from sqlalchemy.orm.attributes import instance_state, set_committed_value
from sqlalchemy.types import NullType

from passport.extensions import db

Converter = Callable[[Any], Any] | None


@dataclass(frozen=True, eq=False)  # hashed by identity: a key of the converters
class Shape:
    """How to build one model's object from a row: (attribute, position, column) each."""

    model: Any
    fields: tuple[tuple[str, int, Any], ...]
    id_at: int


def untyped(column, label: str):
    """``column`` selected without SQLAlchemy's result processing (read by ``Builder``)."""
    return type_coerce(column, NullType()).label(label)


def shape(model, positions: dict[str, int], name_of: Callable[[Any], str]) -> Shape:
    """The shape of ``model`` whose column ``c`` is at ``positions[name_of(c)]``."""
    fields = []
    for prop in db.inspect(model).column_attrs:
        column = prop.columns[0]
        fields.append((prop.key, positions[name_of(column)], column))
    id_at = next(at for key, at, _ in fields if key == "id")
    return Shape(model, tuple(fields), id_at)


def whole(model, table, first: int, prefix: str | None = None) -> tuple[list[Any], Shape]:
    """Every column of ``table`` (``model``'s table or an alias of it), untyped and labelled
    ``prefix__name``, for a select where they start at position ``first``; and their shape."""
    prefix = prefix or table.name
    columns = [untyped(c, f"{prefix}__{c.name}") for c in table.c]
    positions = {c.name: first + i for i, c in enumerate(table.c)}
    return columns, shape(model, positions, lambda c: c.name)


def wholes(*tables: tuple[Any, Any]) -> tuple[list[Any], list[Shape]]:
    """``whole`` of each ``(model, table)`` in turn, side by side in one select: every
    column, and the shape of each table's object, in the order given."""
    columns: list[Any] = []
    shapes: list[Shape] = []
    for model, table in tables:
        more, table_shape = whole(model, table, len(columns))
        columns += more
        shapes.append(table_shape)
    return columns, shapes


#: (shape, dialect class, the driver's type codes) -> (attribute, position, converter) each
_CONVERTERS: dict[tuple[Any, ...], tuple[tuple[str, int, Converter], ...]] = {}


def execute(statement, params: dict[str, Any]):
    """``statement`` on the session's connection, after its autoflush (as an ORM query
    would: pending changes are seen); the session and the result."""
    session = db.session()
    if session.autoflush:
        session.flush()
    return session, session.connection().execute(statement, params)


def first(statement, params: dict[str, Any]):
    """The builder and the first row of ``statement`` (a lookup), or None without a row."""
    session, result = execute(statement, params)
    builder = Builder(session, result)  # reads the cursor's description: before the row
    row = result.first()
    return None if row is None else (builder, row)


class Builder:
    """Rows to persistent objects for one execution (the driver's column types known)."""

    def __init__(self, session, result) -> None:
        self.session = session
        self.identity_map = session.identity_map
        self.dialect = session.get_bind().dialect
        self.codes = tuple(d[1] for d in result.cursor.description)
        self.converters: dict[Shape, tuple[tuple[str, int, Converter], ...]] = {}
        self.seen: dict[tuple[Any, Any], Any] = {}

    def _fields(self, shape: Shape) -> tuple[tuple[str, int, Converter], ...]:
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

    def build(self, shape: Shape, row, relations: dict[str, Any] | None = None):
        """The object of ``row`` (the session's own if it already has it), with its
        ``relations`` loaded; None when the row has no such object (an outer join)."""
        model = shape.model
        ident = row[shape.id_at]
        if ident is None:
            return None
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
        # ``make_transient_to_detached`` + ``Session.add`` (a fifth of a read's time).
        state = instance_state(obj)
        identity = (model, (ident,), None)
        state.key = identity
        state.identity_token = None
        state.session_id = self.session.hash_key
        self.identity_map._add_unpresent(state, identity)
        self.seen[(model, ident)] = obj
        return obj
