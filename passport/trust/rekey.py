"""Re-encrypting everything encrypted at rest with the newest key (key rotation).

Rotation, step by step:
1. put a new key first in ``ENCRYPTION_KEYS`` (``"new:...,old:..."``) and restart: new
   writes use it, old rows are still read with the old key;
2. run ``flask --app wsgi passport reencrypt``: every ciphertext made with an older key is
   rewritten with the newest one, in batches (each batch commits);
3. when it reports nothing left on old keys (and no unreadable value), remove the old key.

A value of an ``EncryptedText`` column that is not a ciphertext at all (written in clear
before the column was encrypted, as record signatures were) is encrypted too, and counted
apart: the application could not read it anyway.

The encrypted columns are found in the metadata (every ``EncryptedText`` column, whichever
feature declares it) plus the structures' private signing keys, which are stored as keyring
ciphertexts in a plain text column.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from sqlalchemy import ColumnElement, Text, bindparam, type_coerce, update

from passport.extensions import db
from passport.structures.models import SigningKey
from passport.trust.encryption import PREFIX, EncryptedText, Keyring, KeyringError, keyring


@dataclass
class ColumnReport:
    """Counts for one column: values seen, rewritten, already on the newest key, unreadable,
    and values found in clear (encrypted now)."""

    name: str
    scanned: int = 0
    reencrypted: int = 0
    current: int = 0
    unreadable: int = 0
    plaintext: int = 0


def encrypted_columns() -> list[ColumnElement]:
    """Every column that holds keyring ciphertexts."""
    columns: list = [
        column
        for table in db.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EncryptedText)
    ]
    columns.append(SigningKey.__table__.c.private_key_enc)
    return columns


def key_usage() -> dict[str, int]:
    """How many stored values each key id encrypted (to know when an old key can go)."""
    usage: dict[str, int] = {}
    for column in encrypted_columns():
        raw = type_coerce(column, Text)
        for (value,) in db.session.execute(db.select(raw).where(raw.is_not(None))):
            try:
                kid = Keyring.key_id_of(value)
            except IndexError:
                kid = "?"
            usage[kid] = usage.get(kid, 0) + 1
    return usage


def reencrypt(batch_size: int = 500) -> Iterator[ColumnReport]:
    """Rewrite old ciphertexts with the newest key, ``batch_size`` rows at a time.

    Yields after each batch (the caller commits there) and once more per column when done;
    the last report yielded for a column holds its final counts.
    """
    ring = keyring()
    for column in encrypted_columns():
        report = ColumnReport(f"{column.table.name}.{column.name}")
        table = column.table
        pk = next(iter(table.primary_key.columns))
        raw = type_coerce(column, Text)
        # Only if the value is still the one read: a row erased (set to NULL) or rewritten
        # meanwhile is left alone, never brought back.
        stmt = (
            update(table)
            .where(pk == bindparam("row_id"), raw == bindparam("old_value", type_=Text))
            .values({column.name: bindparam("new_value", type_=Text)})
        )
        adopt_plaintext = isinstance(column.type, EncryptedText)
        last = None
        while True:
            query = db.select(pk, raw).where(raw.is_not(None)).order_by(pk).limit(batch_size)
            if last is not None:
                query = query.where(pk > last)
            rows = db.session.execute(query).all()
            if not rows:
                break
            changes = []
            for row_id, value in rows:
                report.scanned += 1
                if adopt_plaintext and not value.startswith(f"{PREFIX}:"):
                    report.plaintext += 1
                    changes.append(
                        {"row_id": row_id, "old_value": value, "new_value": ring.encrypt(value)}
                    )
                    continue
                new_value = _rewrite(ring, value)
                if new_value is None:
                    report.unreadable += 1
                elif new_value == value:
                    report.current += 1
                else:
                    report.reencrypted += 1
                    changes.append({"row_id": row_id, "old_value": value, "new_value": new_value})
            if changes:
                db.session.execute(stmt, changes)
            last = rows[-1][0]
            yield report
        yield report


def _rewrite(ring: Keyring, value: str) -> str | None:
    """The value under the newest key (itself if already so), None if it cannot be read."""
    try:
        if Keyring.key_id_of(value) == ring.current_kid:
            return value
        return ring.encrypt(ring.decrypt(value))
    except (KeyringError, InvalidTag, ValueError, IndexError):
        return None
