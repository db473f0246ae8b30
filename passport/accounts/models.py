"""User accounts and personal API tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from passport.db import utcnow
from passport.extensions import Model
from passport.structures.models import Structure


class Role(StrEnum):
    """What an account is for (DOMAIN.md, "Who uses it")."""

    INDIVIDUAL = "individual"
    ADVISOR = "advisor"
    STRUCTURE_ADMIN = "structure_admin"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


#: Roles that belong to a structure and act for it.
STRUCTURE_ROLES = frozenset({Role.ADVISOR, Role.STRUCTURE_ADMIN})


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

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:  # Flask-Login: changes with the password
        return session_id(self)

    @property
    def is_holder(self) -> bool:
        return self.role == Role.INDIVIDUAL

    @property
    def is_structure_staff(self) -> bool:
        return self.role in STRUCTURE_ROLES and self.structure_id is not None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


def session_id(user: User) -> str:
    """Flask-Login's id: changes with the password, so old sessions are logged out."""
    return f"{user.id}.{int(user.password_changed_at.timestamp())}"


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
