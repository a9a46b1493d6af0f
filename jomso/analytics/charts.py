"""Bar charts drawn on the server as inline SVG: geometry here, markup in the template."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 12, 26


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: date
    value: int


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    ticks: list[tuple[float, int]]  # (y, value) for the horizontal grid lines
    labels: list[tuple[float, date]]  # (x, day) under the bars
    plot_left: int
    plot_right: int
    baseline: float


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 x 10^k that is at least ``value`` (4 or more)."""
    if value <= 4:
        return 4
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def bar_chart(points: list[tuple[date, int]]) -> BarChart:
    """One bar per day, scaled to a rounded maximum, with three grid lines and up to seven
    date labels."""
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    top = nice_ceiling(max((v for _, v in points), default=0))
    slot = plot_w / max(len(points), 1)
    gap = min(slot * 0.2, 4) if slot > 3 else 0
    bars = []
    for i, (day, value) in enumerate(points):
        h = plot_h * value / top
        bars.append(
            Bar(
                x=round(LEFT + i * slot + gap / 2, 2),
                y=round(TOP + plot_h - h, 2),
                width=round(max(slot - gap, 0.5), 2),
                height=round(h, 2),
                day=day,
                value=value,
            )
        )
    ticks = [(round(TOP + plot_h - plot_h * f, 2), int(top * f)) for f in (0, 0.5, 1)]
    every = max(1, math.ceil(len(points) / 7))
    labels = [
        (round(LEFT + i * slot + slot / 2, 2), day)
        for i, (day, _) in enumerate(points)
        if i % every == 0
    ]
    return BarChart(WIDTH, HEIGHT, bars, ticks, labels, LEFT, WIDTH - RIGHT, TOP + plot_h)
