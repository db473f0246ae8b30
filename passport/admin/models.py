"""The audit log: one row per administrative action (who, what, when, on what)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from passport.accounts.models import User
from passport.db import JSONType, utcnow
from passport.extensions import Model
from passport.structures.models import Structure


class AuditEntry(Model):
    """An administrative action. Labels are copied so that the entry outlives its target."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor_label: Mapped[str] = mapped_column(String(300))
    #: One of ``ACTIONS`` (passport/admin/services.py).
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int | None]
    target_label: Mapped[str] = mapped_column(String(300))
    structure_id: Mapped[int | None] = mapped_column(
        ForeignKey("structures.id", ondelete="SET NULL"), index=True
    )
    details: Mapped[dict] = mapped_column(JSONType, default=dict)

    actor: Mapped[User | None] = relationship()
    structure: Mapped[Structure | None] = relationship()
