"""Disclosure control: published counts that cannot point at a person (docs/INDICATORS.md).

The method, in three rules:

1. **Rounding down to a multiple of 5** (``BASE``): a published 10 means "10 to 14", and
   every count under 5, zero included, is published as ``None`` ("fewer than 5"). Zero is
   hidden as well: if it were shown, a ``None`` would mean "1 to 4" and several of them in a
   row would pin their values (a total of 4 over four hidden cells is four ones).
2. **An audit of every answer.** The figures of one answer are tied by sums (a total is the
   sum of its channels, of its structure types, of its months...). The audit computes, for
   each figure, the range of values that an attacker who knows every published figure,
   their rounding rule and these sums can deduce (interval propagation over the sums). A
   figure whose range is a single value above zero is *pinned*: the audit then hides
   another figure of the same sum (secondary suppression, the largest shown one first) and
   starts again until nothing is pinned.
3. **Fixed calendar periods** (whole months, in ``periods``): two questions about periods a
   day apart are the same question, and every answer is a sum of whole-month cells that are
   published on their own anyway, so differencing periods teaches nothing new.

The audit's attacker is the strongest one: it even knows which hidden figures are hidden
by the second rule (those are known to be at least ``BASE``).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

BASE = 5
INF = math.inf

Key = Hashable
Range = tuple[float, float]


def rounded(count: int) -> int | None:
    """A count as published: ``None`` under BASE (zero included), else rounded down to BASE."""
    if count < BASE:
        return None
    return count - count % BASE


def published_range(value: int | None) -> Range:
    """What a published value says about the true count, to someone who knows the rule."""
    if value is None:
        return (0, BASE - 1)
    return (value, value + BASE - 1)


@dataclass
class Table:
    """True counts (``values``), the sums that tie them, and counts that are never published.

    ``sums`` holds ``(total, parts)``: the true ``total`` is exactly the sum of its ``parts``.
    A key in ``unpublished`` (for instance receptions whose situation is unknown) is known
    to the attacker only through the sums.
    """

    values: dict[Key, int] = field(default_factory=dict)
    sums: list[tuple[Key, tuple[Key, ...]]] = field(default_factory=list)
    unpublished: set[Key] = field(default_factory=set)

    def add_sum(self, total: Key, parts: Iterable[Key]) -> None:
        self.sums.append((total, tuple(parts)))


def propagate(boxes: Mapping[Key, Range], sums: Sequence[tuple[Key, Sequence[Key]]]) -> dict:
    """The narrowest ranges that the sums imply, starting from ``boxes`` (a fixed point)."""
    ranges = dict(boxes)
    for _ in range(100):
        changed = False
        for total, parts in sums:
            changed |= _narrow(ranges, total, parts)
        if not changed:
            break
    return ranges


def _narrow(ranges: dict, total: Key, parts: Sequence[Key]) -> bool:
    lows = [ranges[p][0] for p in parts]
    highs = [ranges[p][1] for p in parts]
    low_sum = sum(lows)
    finite_high = sum(h for h in highs if h != INF)
    infinite = sum(1 for h in highs if h == INF)
    t_low, t_high = ranges[total]
    changed = False
    new_total = (max(t_low, low_sum), min(t_high, INF if infinite else finite_high))
    if new_total != (t_low, t_high):
        ranges[total] = new_total
        t_low, t_high = new_total
        changed = True
    for part, low, high in zip(parts, lows, highs, strict=True):
        others_low = low_sum - low
        if high == INF:
            others_high = INF if infinite > 1 else finite_high
        else:
            others_high = INF if infinite else finite_high - high
        new = (max(low, t_low - others_high), min(high, t_high - others_low))
        if new != ranges[part]:
            ranges[part] = new
            changed = True
    return changed


def pinned(table: Table, ranges: Mapping[Key, Range]) -> list[Key]:
    """Keys whose true count is above zero and that the ranges determine exactly."""
    return [
        key for key, value in table.values.items() if value > 0 and ranges[key][0] == ranges[key][1]
    ]


def protect(table: Table) -> dict[Key, int | None]:
    """Every key of ``table`` as published: rounded, then audited (secondary suppression)."""
    published = {
        key: None if key in table.unpublished else rounded(value)
        for key, value in table.values.items()
    }
    secondary: set[Key] = set()
    members: dict[Key, list[tuple[Key, ...]]] = {}
    for total, parts in table.sums:
        for key in (total, *parts):
            members.setdefault(key, []).append((total, *parts))
    for _ in range(len(published) + 1):
        boxes = {key: _box(table, published, secondary, key) for key in table.values}
        found = pinned(table, propagate(boxes, table.sums))
        if not found or not _hide_one_more(table, published, secondary, members, found):
            break
    return published


def _box(table: Table, published: Mapping, secondary: set, key: Key) -> Range:
    if key in table.unpublished:
        return (0, INF)
    if key in secondary:
        return (BASE, INF)
    return published_range(published[key])


def _hide_one_more(table, published, secondary, members, found) -> bool:
    for key in found:
        for group in members.get(key, []):
            shown = [m for m in group if m != key and published[m] is not None]
            if shown:
                victim = max(shown, key=lambda m: table.values[m])
                published[victim] = None
                secondary.add(victim)
                return True
    return False
