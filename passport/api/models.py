"""What the API keeps for itself: answers to requests sent with an ``Idempotency-Key``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from passport.db import utcnow
from passport.extensions import Model
from passport.trust.encryption import EncryptedText


class IdempotentRequest(Model):
    """The first answer to a (caller, key) pair, replayed to any retry of the same request."""

    __tablename__ = "idempotent_requests"
    __table_args__ = (UniqueConstraint("caller", "key", name="uq_idempotent_requests_caller_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "user:<id>" or "apikey:<id>": keys are scoped to their caller.
    caller: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(255))
    #: SHA-256 of method, path and body: the same key with another request is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int | None]
    #: The answer replayed to a retry: a record, so encrypted like the record's free texts.
    body: Mapped[str | None] = mapped_column(EncryptedText)
    #: The passport the answer is about: erasing the passport erases the answer too.
    passport_id: Mapped[int | None] = mapped_column(
        ForeignKey("passports.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
