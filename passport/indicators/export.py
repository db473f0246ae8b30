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
                for key, n in value.items():
                    yield (section, name, key, _cell(n))
            else:
                yield (section, name, "", _cell(value))


def _cell(value) -> str:
    return "" if value is None else str(value)


def to_csv(answer: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows(answer))
    return out.getvalue()
