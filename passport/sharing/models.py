"""Share links chosen by the holder, the access log, and in-app notifications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
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
    """One access through a share: minimal data, kept apart and purged after a year."""

    __tablename__ = "access_log"

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


class Notification(Model):
    """An in-app notice to a user, e.g. "the Mission locale opened your passport"."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    access_id: Mapped[int | None] = mapped_column(ForeignKey("access_log.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    access: Mapped[AccessLogEntry | None] = relationship(lazy="joined")
