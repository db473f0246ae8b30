"""The SPRO structures, their API keys and their signing keys."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from passport.db import JSONType, utcnow
from passport.extensions import Model

if TYPE_CHECKING:
    from passport.directory.models import DirectoryService

#: Structure type codes (DOMAIN.md) and whether that type is a CEP operator.
STRUCTURE_TYPES: dict[str, bool] = {
    "ML": True,
    "FT": True,
    "CAP": True,
    "APEC": True,
    "CEP": True,
    "CIO": False,
    "IJ": False,
    "SUIO": False,
    "TP": False,
    "CMA": False,
    "CCI": False,
    "VAE": False,
    "MDE": False,
    "CARIF": False,
}


class Structure(Model):
    """A member of the SPRO network (Mission locale, CIO, Cap emploi...)."""

    __tablename__ = "structures"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(16))
    department: Mapped[str] = mapped_column(String(3), index=True)
    city: Mapped[str | None] = mapped_column(String(120))
    address: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    needs: Mapped[list[str]] = mapped_column(JSONType, default=list)
    is_cep_operator: Mapped[bool] = mapped_column(default=False)
    #: An inactive structure is out of the directory; its staff and keys stop working.
    active: Mapped[bool] = mapped_column(default=True, server_default=sa_true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The directory entry (passport/directory, on the data·inclusion standard).
    postal_code: Mapped[str | None] = mapped_column(String(5))
    #: INSEE code of the commune where the structure receives people.
    commune: Mapped[str | None] = mapped_column(String(5))
    #: OpenStreetMap ``opening_hours`` syntax, e.g. "Mo-Fr 09:00-12:30,13:30-17:00; PH off".
    opening_hours: Mapped[str | None] = mapped_column(String(500))
    #: data·inclusion ``publics`` codes ("jeunes", "demandeurs-emploi"...).
    publics: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: Ages received (inclusive); None is no bound.
    age_min: Mapped[int | None]
    age_max: Mapped[int | None]
    #: SITUATION codes received; empty is every situation.
    situations: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: Where it works: INSEE commune codes, EPCI SIREN codes, department codes or "france".
    #: Empty is the structure's own department.
    zone: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: The id in data·inclusion when the entry came from there (Dora, open data).
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    #: Moves on every edit of the entry or its services ("vérifiée le").
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    signing_keys: Mapped[list[SigningKey]] = relationship(
        back_populates="structure", order_by="SigningKey.id"
    )
    services: Mapped[list[DirectoryService]] = relationship(
        back_populates="structure",
        order_by="DirectoryService.position, DirectoryService.id",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<Structure {self.code}>"


class SigningKey(Model):
    """An Ed25519 key pair of a structure. The private half is encrypted at rest.

    Rotation retires a key (``retired_at``) without deleting it, so that the JWKS keeps
    publishing it and old signatures still verify.
    """

    __tablename__ = "signing_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"))
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    public_jwk: Mapped[dict] = mapped_column(JSONType)
    private_key_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]

    structure: Mapped[Structure] = relationship(back_populates="signing_keys")


class ApiKey(Model):
    """A structure's key for its information system. Only a hash of the secret is kept."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(
        ForeignKey("structures.id", ondelete="CASCADE"), index=True
    )
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    structure: Mapped[Structure] = relationship()
