"""The structure directory and structures' API keys."""

from __future__ import annotations

import functools
import secrets
from typing import Any

from sqlalchemy import bindparam

from passport import rows
from passport.db import utcnow
from passport.extensions import db
from passport.security import new_secret, secret_hash
from passport.structures.models import STRUCTURE_TYPES, ApiKey, Structure


class StructureError(Exception):
    pass


class UnknownStructure(StructureError):
    pass


def get_structure(code: str) -> Structure | None:
    return db.session.execute(
        db.select(Structure).where(Structure.code == code.strip().upper())
    ).scalar_one_or_none()


def require_structure(code: str) -> Structure:
    structure = get_structure(code)
    if structure is None:
        raise UnknownStructure(code)
    return structure


def add_structure(code: str, name: str, type_: str, department: str, **details) -> Structure:
    """Add a structure to the directory; CEP operators follow from the type (DOMAIN.md)."""
    type_ = type_.upper()
    if type_ not in STRUCTURE_TYPES:
        raise StructureError(f"unknown structure type {type_}")
    code = code.strip().upper()
    if get_structure(code) is not None:
        raise StructureError(f"structure {code} exists")
    structure = Structure(
        code=code,
        name=name.strip(),
        type=type_,
        department=department.strip(),
        is_cep_operator=details.pop("is_cep_operator", STRUCTURE_TYPES[type_]),
        **details,
    )
    db.session.add(structure)
    db.session.flush()
    return structure


def list_structures(need: str | None = None, department: str | None = None) -> list[Structure]:
    """The directory (active structures), filtered by need and department, by name."""
    query = db.select(Structure).where(Structure.active.is_(True)).order_by(Structure.name)
    if department:
        query = query.where(Structure.department == department)
    structures = list(db.session.execute(query).scalars())
    if need:  # JSON containment differs between SQLite and PostgreSQL: filter here
        structures = [s for s in structures if need in (s.needs or [])]
    return structures


def create_api_key(structure: Structure, label: str | None = None) -> tuple[str, ApiKey]:
    """A new key for the structure's information system, returned once in clear."""
    # Hex: a prefix is typed on command lines (``apikey revoke``) and read aloud; a URL-safe
    # one could start with "-" and pass for an option.
    prefix = secrets.token_hex(4)
    secret = f"sk_{prefix}_{new_secret()}"
    key = ApiKey(structure=structure, prefix=prefix, key_hash=secret_hash(secret), label=label)
    db.session.add(key)
    db.session.flush()
    return secret, key


@functools.cache
def _key_lookup() -> tuple[Any, rows.Shape, rows.Shape]:
    """The key by its hash with its structure, in one statement built once (``passport.rows``:
    no ORM loading set-up on every API request)."""
    key, structure = ApiKey.__table__, Structure.__table__
    columns, (key_shape, structure_shape) = rows.wholes((ApiKey, key), (Structure, structure))
    statement = (
        db.select(*columns)
        .select_from(key.join(structure, structure.c.id == key.c.structure_id))
        .where(key.c.key_hash == bindparam("key_hash"))
    )
    return statement, key_shape, structure_shape


def find_api_key(secret: str) -> ApiKey | None:
    """The live key with this secret (its structure loaded, in the same one query), or None
    (unknown, revoked, or its structure deactivated)."""
    statement, key_shape, structure_shape = _key_lookup()
    found = rows.first(statement, {"key_hash": secret_hash(secret)})
    if found is None:
        return None
    builder, row = found
    key = builder.build(key_shape, row, {"structure": builder.build(structure_shape, row)})
    if key.revoked_at is not None or not key.structure.active:
        return None
    return key


def revoke_api_key(key: ApiKey) -> None:
    key.revoked_at = utcnow()
    db.session.flush()


def api_keys_of(structure: Structure) -> list[ApiKey]:
    """The structure's API keys, live ones first, newest first (one query)."""
    return list(
        db.session.execute(
            db.select(ApiKey)
            .where(ApiKey.structure_id == structure.id)
            .order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(), ApiKey.id.desc())
        ).scalars()
    )


def get_api_key(structure: Structure, key_id: int) -> ApiKey | None:
    """One of the structure's keys, or None (another structure's key is None too)."""
    if not 0 < key_id <= 2**31 - 1:
        return None
    key = db.session.get(ApiKey, key_id)
    if key is None or key.structure_id != structure.id:
        return None
    return key
