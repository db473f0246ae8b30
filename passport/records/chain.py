"""Appending records to a passport's hash chain: the one function every record goes through.

The tip of the chain lives on the passport row (``head_seq``, ``head_hash``). An append
first *writes* that row (``UPDATE ... RETURNING`` the head): on PostgreSQL the UPDATE takes
the row lock, on SQLite the database write lock, so parallel appends to one passport queue
up instead of forking the chain. The (passport_id, seq) unique constraints catch anything
that slips through.

The record's id is taken before it is written, by the lock's own statement (a ``RETURNING``
column: the table's sequence on PostgreSQL, the next id under the write lock on SQLite), so
that its content, hash and signature are computed first and the record is inserted whole,
in one flush: an append costs four statements (lock with the id, the signing key's id and
ciphertext, insert, new head) whatever the passport's size. The content is canonicalised
once (``trust.canonical.seal``), for the hash and the signature.

What is hashed and signed must be what the database stores. Values are normalised to the
columns first: timestamps to whole seconds, ``NUMERIC`` values rounded half up to their
scale (``hours`` is NUMERIC(8,2): unrounded, 1.125 would be stored as 1.12 on SQLite and
1.13 on PostgreSQL, and an honest passport would fail verification).
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import ColumnElement, Numeric, func, update
from sqlalchemy.orm.attributes import set_committed_value

from passport.db import utcnow
from passport.extensions import db
from passport.passports.models import Passport
from passport.structures.models import Structure
from passport.trust.canonical import canonical_json, record_content, seal
from passport.trust.signing import sign


class PassportGone(Exception):
    """The passport was erased (e.g. while this request waited for its lock)."""


def lock_passport(passport_id: int) -> tuple[int, str | None]:
    """Lock the passport's chain until the transaction ends; return its head."""
    head_seq, head_hash, _ = _lock(passport_id)
    return head_seq, head_hash


def _lock(passport_id: int, model=None) -> tuple[int, str | None, int | None]:
    """``lock_passport``, and the id the next ``model`` record will have, in the same
    statement (a ``RETURNING`` column): the table's sequence on PostgreSQL, the next id on
    SQLite, where the UPDATE holds the database's write lock (no other writer can take it)."""
    db.session.flush()
    columns: list[ColumnElement] = [Passport.head_seq, Passport.head_hash]  # type: ignore[list-item]
    if model is not None:
        columns.append(_next_id(model))
    row = db.session.execute(
        update(Passport)
        .where(Passport.id == passport_id)
        .values(last_activity_at=utcnow())
        .returning(*columns),
        execution_options={"synchronize_session": False},
    ).one_or_none()
    if row is None:
        raise PassportGone(passport_id)
    head_seq: int = row[0]
    head_hash: str | None = row[1]
    return head_seq, head_hash, row[2] if model is not None else None


def append(
    record,
    passport_id: int | None,
    issuer: Structure | None = None,
    *,
    at: datetime | None = None,
):
    """Add ``record`` to the session, chain it to the passport and sign it for ``issuer``.

    ``at`` is the record's time (default: now, whole seconds). ``passport_id=None`` is an
    anonymous record (a reception for the barometer): it is signed but belongs to no chain.
    """
    record.created_at = (at or utcnow()).replace(microsecond=0)
    record.passport_id = passport_id
    if issuer is not None:
        record.issuer_structure = issuer
    _normalise(record)
    if passport_id is None:
        db.session.add(record)
        db.session.flush()  # assigns the id that the content names
        if issuer is not None:
            record.signature = sign(issuer, canonical_json(record_content(record)))
            db.session.flush()
        return _uncorrected(record)
    head_seq, head_hash, record.id = _lock(passport_id, type(record))
    record.seq = head_seq + 1
    record.prev_hash = head_hash
    # The content canonicalised once: hashed inside the link, and signed as it is.
    signed, record.hash = seal(record.seq, record.prev_hash, record_content(record))
    if issuer is not None:
        record.signature = sign(issuer, signed)
    db.session.add(record)
    db.session.flush()
    db.session.execute(
        update(Passport)
        .where(Passport.id == passport_id)
        .values(head_seq=record.seq, head_hash=record.hash),
        execution_options={"synchronize_session": False},
    )
    key = db.session.identity_key(Passport, passport_id)
    passport = db.session.identity_map.get(key)
    if passport is not None:
        db.session.expire(passport, ["head_seq", "head_hash", "last_activity_at"])
    return _uncorrected(record)


def _uncorrected(record):
    """A new record has no correction yet: say so, rather than ask the database later."""
    if hasattr(type(record), "corrections"):
        set_committed_value(record, "corrections", [])
    return record


def _next_id(model) -> ColumnElement[int]:
    """The id the record will have, as an expression of the lock's statement (``_lock``)."""
    table = model.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        return func.nextval(func.pg_get_serial_sequence(table.name, "id"))
    # SQLite: evaluated under the UPDATE's write lock, so no other writer can take this id.
    return db.select(func.coalesce(func.max(table.c.id), 0) + 1).scalar_subquery()


def _normalise(record) -> None:
    """Round what the columns would round, so that what is hashed is what is stored."""
    mapper = db.inspect(type(record))
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if isinstance(column.type, Numeric) and column.type.scale is not None:
            value = getattr(record, prop.key)
            if value is not None:
                step = Decimal(1).scaleb(-column.type.scale)
                setattr(record, prop.key, Decimal(value).quantize(step, rounding=ROUND_HALF_UP))
