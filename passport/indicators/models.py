"""Monthly counts behind the indicators, kept on write by ``aggregates`` (docs/INDICATORS.md).

A year's answer reads these rows (a few thousand a month at the scale of a region, whatever
the number of records) instead of the million receptions behind them. Every row is keyed by
a month (``YYYY-MM``) and by what the answer filters and shows of a structure, never by its
id: its **group**, the department, the type and the CEP flag (``department``,
``structure_type``, ``cep``) of the structure that received the person or sent the
referral, and the type of the receiving one (``receiver_type``). The answer reads them
without a join. The price: when a structure's type, department or CEP flag changes, its
records move from the old group to the new one (``aggregates.recount_structures``, on the
flush of the change). An empty text (``""``) stands for "none" in a key (no situation, no
reason).
"""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from passport.extensions import Model

MONTH = String(7)
#: On SQLite the rows are stored in key order (a clustered primary key): a year's rows are
#: one sequential read, not an index walk with a lookup per row.
CLUSTERED = {"sqlite_with_rowid": False}


def _department() -> Mapped[str]:
    return mapped_column(String(3), primary_key=True)


def _type() -> Mapped[str]:
    return mapped_column(String(16), primary_key=True)


class ReceptionCount(Model):
    """First receptions of a month at the structures of a group, one margin at a time.

    ``dimension`` is ``channel``, ``situation``, ``anonymous`` (``yes``/``no``) or ``need``.
    Each reception counts once in each of the first three (their values add up to the
    month's total) and once for each need it expressed.
    """

    __tablename__ = "indicator_reception_groups"
    __table_args__ = CLUSTERED

    month: Mapped[str] = mapped_column(MONTH, primary_key=True)
    department: Mapped[str] = _department()
    structure_type: Mapped[str] = _type()
    cep: Mapped[bool] = mapped_column(primary_key=True)
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int]


class ReferralCount(Model):
    """Referrals sent in a month (French time) by the structures of a group to structures
    of ``receiver_type``, by their current status and, for a declined one, the decline's
    reason."""

    __tablename__ = "indicator_referral_groups"
    __table_args__ = CLUSTERED

    month: Mapped[str] = mapped_column(MONTH, primary_key=True)
    department: Mapped[str] = _department()
    structure_type: Mapped[str] = _type()
    cep: Mapped[bool] = mapped_column(primary_key=True)
    receiver_type: Mapped[str] = _type()
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    reason: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int]


class ReferralDelay(Model):
    """A histogram of delays: referrals sent in a month by the structures of a group that
    reached ``status`` (``received`` or ``appointment``) ``hours`` whole hours after being
    sent."""

    __tablename__ = "indicator_delay_groups"
    __table_args__ = CLUSTERED

    month: Mapped[str] = mapped_column(MONTH, primary_key=True)
    department: Mapped[str] = _department()
    structure_type: Mapped[str] = _type()
    cep: Mapped[bool] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    hours: Mapped[int] = mapped_column(primary_key=True)
    count: Mapped[int]


class RegionDelay(Model):
    """``ReferralDelay`` summed over the departments and types: the histogram that a
    question on the whole region (no department, no type) reads. The delays spread over
    hundreds of whole hours, so ``ReferralDelay`` holds about one row per delay; without
    the department and the type a month is bounded by 2 statuses x 2 CEP flags x the hours
    (a few thousand rows). Kept with ``ReferralDelay`` (``aggregates.SUMMARIES``)."""

    __tablename__ = "indicator_delay_region"
    __table_args__ = CLUSTERED

    month: Mapped[str] = mapped_column(MONTH, primary_key=True)
    cep: Mapped[bool] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    hours: Mapped[int] = mapped_column(primary_key=True)
    count: Mapped[int]
