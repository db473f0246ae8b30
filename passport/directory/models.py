"""A structure's services in the directory (data·inclusion ``Service``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from passport.db import JSONType, utcnow
from passport.extensions import Model
from passport.structures.models import Structure


class DirectoryService(Model):
    """What a structure offers: title, description, needs covered, fees, how to get there."""

    __tablename__ = "directory_services"

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(
        ForeignKey("structures.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text)
    #: NEED codes covered (mapped to data·inclusion thematiques at the edges).
    needs: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: data·inclusion ``frais``: "gratuit" or "payant" (None: not said).
    fees: Mapped[str | None] = mapped_column(String(20))
    fees_details: Mapped[str | None] = mapped_column(String(500))
    #: How the person gets there (modes de mobilisation in data·inclusion's words).
    access_person: Mapped[str | None] = mapped_column(Text)
    #: How an advisor refers someone.
    access_advisor: Mapped[str | None] = mapped_column(Text)
    contact_name: Mapped[str | None] = mapped_column(String(150))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    structure: Mapped[Structure] = relationship(back_populates="services")

    def __repr__(self) -> str:
        return f"<DirectoryService {self.id} {self.title!r}>"
