"""The questions an indicator answers: whole calendar months, a department, a structure type."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from passport.db import LOCAL_TZ

#: The longest period one answer covers, in months.
MAX_MONTHS = 36


class BadQuestion(ValueError):
    """A filter that cannot be answered; ``errors`` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Question:
    """What is counted: whole months from ``start`` to ``end``, optionally one department or
    one structure type (of the structure that received the person or sent the referral)."""

    start: date  # the first day of a month
    end: date  # the last day of a month
    department: str | None = None
    structure_type: str | None = None

    @property
    def months(self) -> list[str]:
        """The months counted, as ``YYYY-MM``."""
        out = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            out.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out

    def instants(self) -> tuple[datetime, datetime]:
        """The instants (French time) that open the first month and close the last."""
        return (
            datetime.combine(self.start, time.min, LOCAL_TZ),
            datetime.combine(self.end + timedelta(days=1), time.min, LOCAL_TZ),
        )


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def parse_month(raw: str) -> date:
    """``YYYY-MM`` or ``YYYY-MM-DD`` (any day: the whole month is meant)."""
    raw = raw.strip()
    if len(raw) == 7:
        raw += "-01"
    return date.fromisoformat(raw)


def question(
    raw_from: str | None,
    raw_to: str | None,
    department: str | None,
    structure_type: str | None,
    today: date,
) -> Question:
    """A Question from raw filters (the API's and the dashboard's), snapped to whole months.

    Defaults: the twelve months that end with the current one.
    """
    from passport.structures.models import STRUCTURE_TYPES

    errors: dict[str, list[str]] = {}
    dates = {}
    for name, raw in (("from", raw_from), ("to", raw_to)):
        if raw:
            try:
                dates[name] = parse_month(raw)
            except ValueError:
                errors[name] = ["must be a month (YYYY-MM) or a date (YYYY-MM-DD)"]
    end = month_end(dates.get("to", today))
    start = month_start(dates.get("from", month_start(end) - timedelta(days=334)))
    if not errors:
        if start > end:
            errors["from"] = ["after to"]
        elif (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
            errors["from"] = [f"period longer than {MAX_MONTHS} months"]
    department = (department or "").strip().upper() or None
    if department is not None and not (
        len(department) in (2, 3) and department.isalnum() and department.isascii()
    ):
        errors["department"] = ["must be a department code such as 28 or 2A"]
    structure_type = (structure_type or "").strip().upper() or None
    if structure_type is not None and structure_type not in STRUCTURE_TYPES:
        errors["structure_type"] = ["unknown structure type"]
    if errors:
        raise BadQuestion(errors)
    return Question(start, end, department, structure_type)


def month_bounds(first: str | None, last: str | None) -> tuple[date | None, date | None]:
    """The first day of the month ``first`` and the last day of ``last`` (``YYYY-MM``)."""
    return (
        parse_month(first) if first else None,
        month_end(parse_month(last)) if last else None,
    )


def month_instants(first: str | None, last: str | None) -> tuple[datetime | None, datetime | None]:
    """The instants (French time) that open the month ``first`` and close the month ``last``."""
    start, end = month_bounds(first, last)
    return (
        datetime.combine(start, time.min, LOCAL_TZ) if start else None,
        datetime.combine(end + timedelta(days=1), time.min, LOCAL_TZ) if end else None,
    )
