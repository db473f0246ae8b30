"""The indicators as CSV: one row per published figure (the API's and the dashboard's export)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

HEADER = ("section", "indicator", "key", "value")


def rows(answer: dict) -> Iterator[tuple]:
    """``(section, indicator, key, value)`` for every figure of an answer; empty when hidden."""
    yield ("question", "from", "", answer["from"])
    yield ("question", "to", "", answer["to"])
    yield ("question", "department", "", answer["department"] or "")
    yield ("question", "structure_type", "", answer["structure_type"] or "")
    for section in ("receptions", "referrals"):
        for name, value in answer[section].items():
            if name == "by_month":
                for month in value:
                    yield (section, "by_month", month["month"], _cell(month["total"]))
                    for need, n in month["by_need"].items():
                        yield (section, "by_month_by_need", f"{month['month']}:{need}", _cell(n))
            elif name == "routes":
                for route in value:
                    key = f"{route['from_type']}>{route['to_type']}"
                    for part in ("count", "completed", "declined"):
                        yield (section, f"routes_{part}", key, _cell(route[part]))
            elif isinstance(value, dict):
                yield from _nested(section, name, value)
            else:
                yield (section, name, "", _cell(value))


def _nested(section: str, name: str, value: dict, prefix: str = "") -> Iterator[tuple]:
    """A breakdown; a group of figures (``by_cep_operator`` of referrals) gives one row per
    figure, ``indicator`` naming the figure and ``key`` the group (``cep:completed``)."""
    for key, item in value.items():
        if isinstance(item, dict):
            for field, n in item.items():
                if isinstance(n, dict):
                    yield from _nested(section, f"{name}.{field}", n, f"{prefix}{key}:")
                else:
                    yield (section, f"{name}.{field}", f"{prefix}{key}", _cell(n))
        else:
            yield (section, name, f"{prefix}{key}", _cell(item))


def _cell(value) -> str:
    return "" if value is None else str(value)


def to_csv(answer: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows(answer))
    return out.getvalue()
