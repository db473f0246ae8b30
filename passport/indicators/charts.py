"""Bar charts drawn on the server as SVG: geometry only, the template draws it.

Each bar carries its value as text beside it, and bars alternate between hatch patterns,
so a chart reads without colour; the data table beside it is the text alternative.
"""

from __future__ import annotations

from dataclasses import dataclass

ROW = 28  # height of one bar's row, in SVG units
LABEL_WIDTH = 250
BAR_WIDTH = 330
WIDTH = LABEL_WIDTH + BAR_WIDTH + 90
PATTERNS = ("solid", "hatch", "dots", "cross")


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None  # None: hidden (fewer than 5)
    y: int
    width: int
    pattern: str


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    bars: list[Bar]

    @property
    def height(self) -> int:
        return max(1, len(self.bars)) * ROW + 8


def bar_chart(chart_id: str, title: str, items: list[tuple[str, int | None]]) -> Chart:
    """A horizontal bar chart of ``(label, value)``; widths relative to the largest value."""
    largest = max((v for _, v in items if v), default=0)
    bars = [
        Bar(
            label=str(label),
            value=value,
            y=i * ROW + 4,
            width=round(BAR_WIDTH * value / largest) if value and largest else 0,
            pattern=PATTERNS[i % len(PATTERNS)],
        )
        for i, (label, value) in enumerate(items)
    ]
    return Chart(chart_id, title, bars)
