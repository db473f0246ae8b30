"""Second factors of an account: a TOTP secret, its recovery codes, passkeys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from passport.accounts.models import User
from passport.db import JSONType, utcnow
from passport.extensions import Model
from passport.trust.encryption import EncryptedText


class TotpSecret(Model):
    """The account's TOTP secret (encrypted at rest); usable once ``confirmed_at`` is set.

    ``last_step`` is the RFC 6238 time step of the last accepted code: a code of that step or
    an earlier one is refused, so that a code seen over a shoulder cannot be replayed.
    """

    __tablename__ = "mfa_totp"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True, index=True
    )
    secret: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    last_step: Mapped[int] = mapped_column(BigInteger, default=0)

    user: Mapped[User] = relationship()


class RecoveryCode(Model):
    """A single-use recovery code; only its hash is kept."""

    __tablename__ = "mfa_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]


class Passkey(Model):
    """A WebAuthn credential registered by the account (public key only)."""

    __tablename__ = "mfa_passkeys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: base64url of the credential id (at most 1,023 bytes, WebAuthn Level 3).
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    transports: Mapped[list] = mapped_column(JSONType, default=list)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]


class PasskeyChallenge(Model):
    """A WebAuthn challenge handed to one browser: spent by its first use, short-lived.

    Kept in the database rather than in the (signed cookie) Flask session, so that a copy of
    an older cookie cannot bring a spent challenge back. Only its SHA-256 is stored.
    """

    __tablename__ = "mfa_passkey_challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: "register" or "login": a challenge of one ceremony is refused by the other.
    purpose: Mapped[str] = mapped_column(String(10))
    challenge_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
