"""Declarative base, naming convention and column helpers shared by every model."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, DateTime, MetaData, PrimaryKeyConstraint, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


@compiles(PrimaryKeyConstraint, "postgresql")
def _postgresql_primary_key(constraint, compiler, **kw):
    """A table's ``info["postgresql_primary_key"]`` names its primary key's columns on
    PostgreSQL, where they differ from the model's (a partitioned table's primary key must
    hold the partition key: ``access_log``'s is ``(id, at)`` there, ``id`` elsewhere)."""
    columns = constraint.table.info.get("postgresql_primary_key")
    if not columns:
        return compiler.visit_primary_key_constraint(constraint, **kw)
    quote = compiler.preparer.quote
    name = compiler.preparer.format_constraint(constraint)
    named = f"CONSTRAINT {name} " if name else ""
    return f"{named}PRIMARY KEY ({', '.join(quote(c) for c in columns)})"


MAX_ID = 2**31 - 1  # integer primary keys, on SQLite and PostgreSQL alike


def valid_id(value) -> bool:
    """An id that fits the id columns: anything else is unknown (a bigger integer would be
    a database error, not a 404)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


#: The time zone of the people this service is for (dates they type are local dates).
LOCAL_TZ = ZoneInfo("Europe/Paris")


def today_local() -> date:
    """Today's date in France, not on the server's clock (UTC at night is yesterday)."""
    return datetime.now(LOCAL_TZ).date()


def utcnow() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite has no time zones and returns naive values; PostgreSQL returns aware ones.
    This type makes both databases answer the same thing.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    """Base class of every model."""

    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )
