"""Appending records to a passport's hash chain.

The tip of the chain lives on the passport row (``head_seq``, ``head_hash``). An append
first *writes* that row: on PostgreSQL the UPDATE takes the row lock, on SQLite it takes the
database write lock, so parallel appends to one passport queue up instead of forking the
chain. The (passport_id, seq) unique constraints catch anything that slips through.

What is hashed and signed is what the database gives back, not what the caller passed: a
record is flushed and its columns re-read before its content is computed. Otherwise a
value that the column rounds (``hours`` is NUMERIC(7,1): 1.25 becomes 1.2 on SQLite and
1.3 on PostgreSQL) would be hashed in one form and exported in another, and the chain of
an honest passport would fail verification.
"""

from __future__ import annotations

from sqlalchemy import inspect, update

from passport.db import utcnow
from passport.extensions import db
from passport.passports.models import Passport
from passport.structures.models import Structure
from passport.trust.canonical import canonical_json, chain_hash, record_content
from passport.trust.signing import sign


class PassportGone(Exception):
    """The passport was erased (e.g. while this request waited for its lock)."""


def lock_passport(passport_id: int) -> tuple[int, str | None]:
    """Lock the passport's chain until the transaction ends; return its head."""
    db.session.flush()
    db.session.execute(
        update(Passport).where(Passport.id == passport_id).values(last_activity_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    row = db.session.execute(
        db.select(Passport.head_seq, Passport.head_hash).where(Passport.id == passport_id)
    ).one_or_none()
    if row is None:
        raise PassportGone(passport_id)
    return row.head_seq, row.head_hash


def append(record, passport_id: int | None, issuer: Structure | None = None):
    """Add ``record`` to the session, chain it to the passport and sign it for ``issuer``.

    ``passport_id=None`` is an anonymous record (a reception for the barometer): it is
    signed but belongs to no chain.
    """
    record.created_at = utcnow().replace(microsecond=0)
    record.passport_id = passport_id
    if issuer is not None:
        record.issuer_structure = issuer
    if passport_id is not None:
        head_seq, head_hash = lock_passport(passport_id)
        record.seq = head_seq + 1
        record.prev_hash = head_hash
    db.session.add(record)
    db.session.flush()  # assigns the id that the content names
    _reload_columns(record)
    content = record_content(record)
    if passport_id is not None:
        record.hash = chain_hash(record.seq, record.prev_hash, content)
        db.session.execute(
            update(Passport)
            .where(Passport.id == passport_id)
            .values(head_seq=record.seq, head_hash=record.hash),
            execution_options={"synchronize_session": False},
        )
    if issuer is not None:
        record.signature = sign(issuer, canonical_json(content))
    db.session.flush()
    key = db.session.identity_key(Passport, passport_id) if passport_id is not None else None
    passport = db.session.identity_map.get(key) if key is not None else None
    if passport is not None:
        db.session.expire(passport, ["head_seq", "head_hash", "last_activity_at"])
    return record


def _reload_columns(record) -> None:
    """Re-read the record's own columns: hash exactly what was stored."""
    names = [attr.key for attr in inspect(record).mapper.column_attrs]
    db.session.refresh(record, attribute_names=names)
