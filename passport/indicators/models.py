"""Monthly counts behind the indicators, kept on write by ``aggregates`` (docs/INDICATORS.md).

A year's answer reads these rows (tens of thousands at the scale of a region) instead of the
million receptions behind them. Every row is keyed by a month (``YYYY-MM``) and the id of a
structure, never by its type or department: the answer joins the structures as they are
now, exactly as a count over the records would, so editing a structure needs no rebuild.
An empty text (``""``) stands for "none" in a key (no situation, no reason).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from passport.extensions import Model

MONTH = String(7)
#: On SQLite the rows are stored in key order (a clustered primary key): a year's rows are
#: one sequential read, not an index walk with a lookup per row.
CLUSTERED = {"sqlite_with_rowid": False}


class ReceptionCount(Model):
    """First receptions of a month at a structure, one margin at a time.

    ``dimension`` is ``channel``, ``situation``, ``anonymous`` (``yes``/``no``) or ``need``.
    Each reception counts once in each of the first three (their values add up to the
    month's total) and once for each need it expressed.
    """

    __tablename__ = "indicator_reception_counts"
    __table_args__ = CLUSTERED

    month: Mapped[str] = mapped_column(MONTH, primary_key=True)
    structure_id: Mapped[int] = mapped_column(
        ForeignKey("structures.id", ondelete="CASCADE"), primary_key=True
    )
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int]


class ReferralCount(Model):
    """Referrals sent in a month (French time) from one structure to another, by their
    current status and, for a declined one, the decline's reason."""

    __tablename__ = "indicator_referral_counts"
    __table_args__ = CLUSTERED

    month: Mapped[str] = mapped_column(MONTH, primary_key=True)
    sender_id: Mapped[int] = mapped_column(
        ForeignKey("structures.id", ondelete="CASCADE"), primary_key=True
    )
    receiver_id: Mapped[int] = mapped_column(
        ForeignKey("structures.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    reason: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int]


class ReferralDelay(Model):
    """A histogram of delays: referrals sent in a month by a structure that reached
    ``status`` (``received`` or ``appointment``) ``hours`` whole hours after being sent."""

    __tablename__ = "indicator_referral_delays"
    __table_args__ = CLUSTERED

    month: Mapped[str] = mapped_column(MONTH, primary_key=True)
    sender_id: Mapped[int] = mapped_column(
        ForeignKey("structures.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    hours: Mapped[int] = mapped_column(primary_key=True)
    count: Mapped[int]
