"""Share links chosen by the holder, the access log, and in-app notifications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Select, String, event, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from passport.accounts.models import User
from passport.db import JSONType, utcnow
from passport.extensions import Model
from passport.passports.models import Passport
from passport.structures.models import Structure
from passport.trust.encryption import EncryptedText

SECTIONS = ("profile", "receptions", "referrals", "trainings", "cpf")
PERMISSIONS = ("read", "append")


class ShareLink(Model):
    """A signed link to part of a passport.

    ``token_hash`` (SHA-256) is the lookup key. So that the holder can show the link and its
    QR code again, the token is also kept encrypted at rest (``sealed_token``, AES-GCM with
    the application's keyring), read only on the holder's pages, and erased when the share
    is revoked. Shares made before that column existed have none: their link was shown
    once, at creation.
    """

    __tablename__ = "share_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    passport_id: Mapped[int] = mapped_column(
        ForeignKey("passports.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The token itself, encrypted; deferred: only the holder's pages ever load it.
    sealed_token: Mapped[str | None] = mapped_column(EncryptedText, deferred=True)
    label: Mapped[str | None] = mapped_column(String(120))
    sections: Mapped[list[str]] = mapped_column(JSONType)
    permissions: Mapped[list[str]] = mapped_column(JSONType)
    #: The only structure the link opens for; None means any SPRO structure.
    structure_id: Mapped[int | None] = mapped_column(
        ForeignKey("structures.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    suspended_at: Mapped[datetime | None]
    single_use: Mapped[bool] = mapped_column(default=False)
    used_up_at: Mapped[datetime | None]
    uses: Mapped[int] = mapped_column(default=0)
    passcode_hash: Mapped[str | None] = mapped_column(String(255))
    failed_attempts: Mapped[int] = mapped_column(default=0)
    locked_at: Mapped[datetime | None]

    passport: Mapped[Passport] = relationship()
    structure: Mapped[Structure | None] = relationship(lazy="joined")


class AccessLogEntry(Model):
    """One access through a share: minimal data, kept apart and purged after a year.

    On PostgreSQL the table is partitioned by month on ``at`` (``passport.sharing.
    partitions``): its primary key there is ``(id, at)`` (a partitioned table's must hold
    the partition key), rendered by ``passport.db`` from ``info["postgresql_primary_key"]``.
    ``id`` alone stays the ORM's identity (unique: one sequence feeds every partition) and
    SQLite's primary key. Nothing holds a foreign key to it (see ``Notification.access_id``).
    """

    __tablename__ = "access_log"
    __table_args__ = {
        "postgresql_partition_by": "RANGE (at)",
        "info": {"postgresql_primary_key": ("id", "at")},
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    passport_id: Mapped[int] = mapped_column(
        ForeignKey("passports.id", ondelete="CASCADE"), index=True
    )
    share_id: Mapped[int | None] = mapped_column(
        ForeignKey("share_links.id", ondelete="SET NULL"), index=True
    )
    structure_id: Mapped[int | None] = mapped_column(
        ForeignKey("structures.id", ondelete="SET NULL")
    )
    advisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    structure: Mapped[Structure | None] = relationship(lazy="joined")
    advisor: Mapped[User | None] = relationship(lazy="joined")


def access_entry(entry_id: int, at: datetime | None) -> Select[AccessLogEntry]:
    """The access-log row ``entry_id``, written at ``at``: on PostgreSQL the condition on
    ``at`` (the partition key) makes the planner read one monthly partition instead of
    probing every partition's index. ``at`` None (a job queued before it was passed
    along) looks the row up by id alone, in every partition."""
    query = select(AccessLogEntry).where(AccessLogEntry.id == entry_id)
    return query if at is None else query.where(AccessLogEntry.at == at)


@event.listens_for(AccessLogEntry.__table__, "after_create")
def _first_partitions(target, connection, **kw) -> None:
    """``db.create_all`` (the tests) makes the partitions the migration makes."""
    from passport.sharing.partitions import ensure_partitions

    ensure_partitions(connection)


class Visit(Model):
    """The accesses of one structure (one advisor) through one share, none further than
    ``VISIT_MINUTES`` from the next: what the holder is told about, once (one in-app notice,
    one mail). Built by the worker from the access log (``passport.notifications.visits``);
    ``share_id`` is None for a structure's writes without a share (a referral's status).

    The access-log rows of a visit are those of its passport, share, structure and advisor
    between ``started_at`` and ``last_at`` (the access log itself is not changed).
    """

    __tablename__ = "visits"
    __table_args__ = (Index("ix_visits_passport_last", "passport_id", "last_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    passport_id: Mapped[int] = mapped_column(ForeignKey("passports.id", ondelete="CASCADE"))
    share_id: Mapped[int | None] = mapped_column(ForeignKey("share_links.id", ondelete="SET NULL"))
    structure_id: Mapped[int | None] = mapped_column(
        ForeignKey("structures.id", ondelete="SET NULL")
    )
    advisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[datetime]
    last_at: Mapped[datetime]
    views: Mapped[int] = mapped_column(default=0)
    appends: Mapped[int] = mapped_column(default=0)
    denials: Mapped[int] = mapped_column(default=0)
    #: The sections that were read (the share's, when it was opened to read).
    seen: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: What the structure wrote meanwhile: record kind -> how many ("reception": 1).
    added: Mapped[dict[str, int]] = mapped_column(JSONType, default=dict)
    #: Why each refused attempt was refused: access-log id -> reason code.
    reasons: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    #: When the grouped mail went (or was decided against): the visit is closed then.
    mailed_at: Mapped[datetime | None] = mapped_column(index=True)

    structure: Mapped[Structure | None] = relationship(lazy="joined")
    advisor: Mapped[User | None] = relationship(lazy="joined")
    share: Mapped[ShareLink | None] = relationship()


class Notification(Model):
    """An in-app notice to a user, e.g. "the Mission locale opened your passport".

    A notice about accesses points to its visit (one per visit, kept up to date as the
    visit goes on) and to the visit's latest access-log row.
    """

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The visit's latest access-log row. No foreign key (the access log is partitioned on
    #: PostgreSQL, docs/SCALING.md): the retention purge and the erasure delete the
    #: notifications of the rows they delete (``ON DELETE CASCADE`` did before).
    access_id: Mapped[int | None]
    visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("visits.id", ondelete="CASCADE"), unique=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    access: Mapped[AccessLogEntry | None] = relationship(
        lazy="joined",
        primaryjoin="foreign(Notification.access_id) == AccessLogEntry.id",
    )
    visit: Mapped[Visit | None] = relationship(lazy="joined")


def not_in_a_visit():
    """A condition on AccessLogEntry: no visit groups this row (yet)."""
    covered = (
        select(Visit.id)
        .where(
            Visit.passport_id == AccessLogEntry.passport_id,
            Visit.share_id.is_not_distinct_from(AccessLogEntry.share_id),
            Visit.structure_id.is_not_distinct_from(AccessLogEntry.structure_id),
            Visit.advisor_id.is_not_distinct_from(AccessLogEntry.advisor_id),
            Visit.started_at <= AccessLogEntry.at,
            Visit.last_at >= AccessLogEntry.at,
        )
        .exists()
    )
    return ~covered
