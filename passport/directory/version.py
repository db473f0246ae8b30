"""The directory's version: one counter that every write to the directory moves.

The answer cache (``directory.cache``) keys its entries by it, so that a change made by any
process (a gunicorn worker, ``flask directory import``) is seen by every other one on its
very next request, at the cost of one cheap query (``current()``).

What moves it, in the writer's own transaction (so it commits or rolls back with the change):
- every ORM flush that inserts, updates or deletes a ``Structure`` (its directory entry is
  its columns: admin edits, deactivation, ``PATCH /structures/{code}``, the directory pages,
  the import) or a ``DirectoryService`` (``after_flush`` below);
- every ORM-enabled bulk ``insert``/``update``/``delete`` of those two tables run through a
  session (``session.execute(update(Structure)...)``: ``do_orm_execute`` below).

What does NOT move it: SQL sent around the ORM (``text("UPDATE structures ...")``, a
``psql`` session, a data migration). After such a change call ``bump()`` in the same
transaction, or run ``flask --app wsgi directory bump`` once it is committed.

A database restored from a backup may hold a version that a running worker already cached
other answers under: restart the workers after a restore (a restore stops them anyway).

The counter is the single row ``id = 1`` of ``directory_version``, written by an upsert
(``INSERT ... ON CONFLICT DO UPDATE``, on SQLite and PostgreSQL alike), so a missing row
(a new or truncated table) reads as 0 and the first bump creates it. On PostgreSQL the
upsert row-locks the counter until the writer commits: directory writes queue on it, which
is fine for reference data that changes a few times a day.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Table, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column, scoped_session

from passport.directory.models import DirectoryService
from passport.extensions import Model
from passport.structures.models import Structure

_ROW = 1


class DirectoryVersion(Model):
    """One row (``id = 1``): the directory's version, moved by every write to it."""

    __tablename__ = "directory_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


_TABLE: Table = DirectoryVersion.__table__  # type: ignore[assignment]
_WATCHED = (Structure, DirectoryService)
_WATCHED_TABLES = {Structure.__tablename__, DirectoryService.__tablename__}


_CURRENT = select(_TABLE.c.version).where(_TABLE.c.id == _ROW)  # built once: cached compiled


def current(session: Session | scoped_session) -> int:
    """The directory's version now (0 before any write): one query, in the session's
    transaction (Core on its connection: no ORM execution on the hot path)."""
    found = session.connection().execute(_CURRENT).scalar()
    return int(found or 0)


def _bump_statement(dialect: str):
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(_TABLE).values(id=_ROW, version=1)
    return statement.on_conflict_do_update(
        index_elements=[_TABLE.c.id], set_={"version": _TABLE.c.version + 1}
    )


def bump(session: Session | scoped_session) -> None:
    """Move the version in the session's transaction (after SQL the ORM did not see)."""
    connection = session.connection()
    connection.execute(_bump_statement(connection.dialect.name))


def _touches_directory(session: Session) -> bool:
    for obj in session.new:
        if isinstance(obj, _WATCHED):
            return True
    for obj in session.deleted:
        if isinstance(obj, _WATCHED):
            return True
    return any(
        isinstance(obj, _WATCHED) and session.is_modified(obj, include_collections=False)
        for obj in session.dirty
    )


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush_context) -> None:
    # new/dirty/deleted still hold what this flush wrote
    if _touches_directory(session):
        bump(session)


@event.listens_for(Session, "do_orm_execute")
def _after_bulk(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in _WATCHED_TABLES:
        bump(state.session)
