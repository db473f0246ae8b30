"""What the notifications feature keeps: queued mails, done job keys, mail preferences."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from passport.db import utcnow
from passport.extensions import Model
from passport.trust.encryption import EncryptedText


class OutgoingMail(Model):
    """One mail to send. The row is the truth: a job delivers it, the sweep finds it again
    if the job queue lost it, and ``key`` (unique) makes one event give one mail."""

    __tablename__ = "outgoing_mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(EncryptedText)
    html_body: Mapped[str | None] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: Set while a worker is sending it (a crashed worker's claim expires).
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    last_error: Mapped[str | None] = mapped_column(String(300))


class JobKey(Model):
    """A job already done for one event (``"purge:2026-05-20"``, ``"reminder:12"``)."""

    __tablename__ = "job_keys"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    done_at: Mapped[datetime] = mapped_column(default=utcnow)


class MailPreference(Model):
    """Which mails a user wants; no row means the defaults (every mail on)."""

    __tablename__ = "mail_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    #: Holder: a structure opened or wrote to the passport (one mail per visit).
    visits: Mapped[bool] = mapped_column(default=True)
    #: Holder: an appointment was set on one of their referrals.
    appointments: Mapped[bool] = mapped_column(default=True)
    #: Holder: a share is about to expire; the passport will be purged for inactivity.
    reminders: Mapped[bool] = mapped_column(default=True)
    #: Staff: referrals addressed to the structure (when it has no referral address) and
    #: news of the referrals they sent.
    referrals: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
