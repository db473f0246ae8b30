"""Opening hours in OpenStreetMap syntax: checked, said in plain French, open now or not.

Parsing and evaluation are the ``opening-hours-py`` library's (a kept Rust implementation
of the OSM specification, with French public holidays). This module only words the
result: the hours of a typical week (public holidays left out, then mentioned), grouped
by runs of days with the same hours, e.g. "lundi au vendredi, 9 h–12 h 30 et 13 h 30–17 h".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from opening_hours import OpeningHours, State

from passport.db import LOCAL_TZ, utcnow

MAX_LENGTH = 500

DAYS = (
    _l("lundi"),
    _l("mardi"),
    _l("mercredi"),
    _l("jeudi"),
    _l("vendredi"),
    _l("samedi"),
    _l("dimanche"),
)
_HOLIDAYS_CLOSED = re.compile(r"\bPH\s+(off|closed)\b")


class InvalidHours(ValueError):
    pass


@lru_cache(maxsize=512)
def _parse(value: str, holidays: bool) -> OpeningHours:
    if holidays:
        return OpeningHours(value, timezone=LOCAL_TZ, country="FR", auto_country=False)
    return OpeningHours(value, timezone=LOCAL_TZ, auto_country=False)


def check(value: str) -> str:
    """The expression, stripped, if the OSM syntax accepts it; InvalidHours otherwise."""
    value = " ".join(value.split())
    if not value:
        raise InvalidHours("empty")
    if len(value) > MAX_LENGTH:
        raise InvalidHours("too long")
    try:
        _parse(value, True)
    except Exception as exc:  # the library raises its own ParserError, and more on odd input
        raise InvalidHours(str(exc).splitlines()[0]) from None
    return value


def is_valid(value: str) -> bool:
    try:
        check(value)
    except InvalidHours:
        return False
    return True


def is_open(value: str | None, at: datetime | None = None) -> bool | None:
    """Open at that instant (now by default) in French time; None if unknown or invalid."""
    if not value or not is_valid(value):
        return None
    state, _comment = _parse(value, True).state((at or utcnow()).astimezone(LOCAL_TZ))
    if state == State.UNKNOWN:
        return None
    return state == State.OPEN


def next_change(value: str | None, at: datetime) -> datetime | None:
    """The first instant after ``at`` when ``is_open`` answers otherwise; None if never."""
    if not value or not is_valid(value):
        return None
    found = _parse(value, True).next_change(at.astimezone(LOCAL_TZ))
    if found is None:
        return None
    if found.tzinfo is None:  # the library answers in the expression's time zone
        found = found.replace(tzinfo=LOCAL_TZ)
    return found


def _clock(moment: time) -> str:
    if moment.minute:
        return _("%(hour)d h %(minute)02d", hour=moment.hour, minute=moment.minute)
    return _("%(hour)d h", hour=moment.hour)


def _week(value: str, monday: datetime) -> list[tuple[tuple[str, str], ...]]:
    """For each day of the week from ``monday``, its opening ranges as ("9 h", "12 h 30")."""
    days: list[list[tuple[str, str]]] = [[] for _day in range(7)]
    end_of_week = monday + timedelta(days=7)
    for start, end, state, _comment in _parse(value, False).intervals(monday, end_of_week):
        if state != State.OPEN:
            continue
        cursor = start
        while cursor < end:  # a range past midnight counts on each day it covers
            day_end = datetime.combine(cursor.date() + timedelta(days=1), time(), LOCAL_TZ)
            stop = min(end, day_end)
            index = (cursor.date() - monday.date()).days
            if 0 <= index < 7:
                last = _("24 h") if stop == day_end else _clock(stop.time())
                days[index].append((_clock(cursor.time()), last))
            cursor = stop
    return [tuple(d) for d in days]


def _days_label(first: int, last: int) -> str:
    if first == last:
        return str(DAYS[first])
    if last == first + 1:
        return _("%(first)s et %(last)s", first=DAYS[first], last=DAYS[last])
    return _("%(first)s au %(last)s", first=DAYS[first], last=DAYS[last])


def _ranges_label(ranges: tuple[tuple[str, str], ...]) -> str:
    if ranges == ((_("0 h"), _("24 h")),):
        return _("jour et nuit")
    parts = [f"{start}–{end}" for start, end in ranges]
    if len(parts) == 1:
        return parts[0]
    return _("%(first)s et %(last)s", first=", ".join(parts[:-1]), last=parts[-1])


def describe(value: str | None, at: datetime | None = None) -> str | None:
    """The hours in plain French, or None when there are none or they cannot be read."""
    if not value or not is_valid(value):
        return None
    local = (at or utcnow()).astimezone(LOCAL_TZ)
    monday = datetime.combine(local.date() - timedelta(days=local.weekday()), time(), LOCAL_TZ)
    week = _week(value, monday)
    groups: list[tuple[int, int, tuple[tuple[str, str], ...]]] = []
    for index, ranges in enumerate(week):
        if groups and groups[-1][2] == ranges and groups[-1][1] == index - 1:
            groups[-1] = (groups[-1][0], index, ranges)
        else:
            groups.append((index, index, ranges))
    phrases = [
        _(
            "%(days)s, %(hours)s",
            days=_days_label(first, last),
            hours=_ranges_label(ranges),
        )
        for first, last, ranges in groups
        if ranges
    ]
    if not phrases:
        return _("fermé")
    if len(groups) == 1 and groups[0][2]:
        phrases = [_("tous les jours, %(hours)s", hours=_ranges_label(groups[0][2]))]
    if _HOLIDAYS_CLOSED.search(value):
        phrases.append(_("fermé les jours fériés"))
    return " ; ".join(phrases)


@dataclass(frozen=True)
class Hours:
    """What a page shows of an entry's hours."""

    raw: str | None
    text: str | None
    open_now: bool | None


def hours_of(value: str | None, at: datetime | None = None) -> Hours:
    return Hours(raw=value, text=describe(value, at), open_now=is_open(value, at))
