"""User accounts and personal API tokens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from passport.db import utcnow
from passport.extensions import Model
from passport.structures.models import Structure

if TYPE_CHECKING:
    from passport.passports.models import Passport


class Role(StrEnum):
    """What an account is for (DOMAIN.md, "Who uses it")."""

    INDIVIDUAL = "individual"
    ADVISOR = "advisor"
    STRUCTURE_ADMIN = "structure_admin"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


#: Roles that belong to a structure and act for it.
STRUCTURE_ROLES = frozenset({Role.ADVISOR, Role.STRUCTURE_ADMIN})


#: Starts a server-side session for a user at login; set by ``passport.accounts.sessions``
#: (which needs this module: the hook keeps the dependency one-way).
SESSION_STARTER: Callable[[User], object] | None = None


class User(UserMixin, Model):
    """An account: a holder, or staff of the network."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default=Role.INDIVIDUAL.value)
    structure_id: Mapped[int | None] = mapped_column(
        ForeignKey("structures.id", ondelete="SET NULL"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    structure: Mapped[Structure | None] = relationship()
    #: The holder's passport, read only (``passports.services.passport_of`` creates it);
    #: loaded with the token by the API's authentication (one query), else lazily.
    own_passport: Mapped[Passport | None] = relationship(
        "Passport", primaryjoin="Passport.holder_id == User.id", viewonly=True, uselist=False
    )

    @property
    def session_secret(self) -> str | None:
        """The clear id of the browser session in use (set by the loader or at login)."""
        return self.__dict__.get("_session_secret")

    @session_secret.setter
    def session_secret(self, value: str | None) -> None:
        self.__dict__["_session_secret"] = value

    # Identity, not Flask-Login's get_id() comparison (which would start a session).
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__

    @property
    def is_active(self) -> bool:  # Flask-Login
        if not self.active:
            return False
        if self.role in STRUCTURE_ROLES and self.structure is not None:
            return self.structure.active
        return True

    def get_id(self) -> str:
        """Flask-Login's id: the opaque id of a server-side session (started on login)."""
        if self.session_secret is None:
            if SESSION_STARTER is None:  # passport.accounts.sessions sets it on import
                raise RuntimeError("passport.accounts.sessions is not loaded")
            SESSION_STARTER(self)
        secret = self.session_secret
        if secret is None:  # start_session sets it
            raise RuntimeError("no session was started")
        return secret

    @property
    def is_holder(self) -> bool:
        return self.role == Role.INDIVIDUAL

    @property
    def is_structure_staff(self) -> bool:
        return self.role in STRUCTURE_ROLES and self.structure_id is not None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class ApiToken(Model):
    """A personal bearer token from ``POST /api/v1/auth/token``; only its hash is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class UserSession(Model):
    """A browser session: the Flask session keeps only its clear id, the table its hash.

    The user loader checks it on every request, so ending it here (logout, password change,
    deactivation, "log out everywhere", timeouts) refuses a copied cookie at once.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Absolute end, whatever the activity.
    expires_at: Mapped[datetime]
    #: Idle timeout of this session, in seconds (by role, from the configuration).
    idle_seconds: Mapped[int]
    ended_at: Mapped[datetime | None]
    user_agent: Mapped[str | None] = mapped_column(String(300))
    ip_address: Mapped[str | None] = mapped_column(String(45))

    user: Mapped[User] = relationship()

    def idle_deadline(self) -> datetime:
        return self.last_seen_at + timedelta(seconds=self.idle_seconds)

    def is_live(self, now: datetime) -> bool:
        return self.ended_at is None and now < self.expires_at and now < self.idle_deadline()
