"""Charts drawn on the server as inline SVG (no JavaScript library).

Horizontal positions are percentages of the chart's width and vertical ones pixels, with no
``viewBox``: the chart stretches to the width of a desktop or a phone while its text keeps its
size (a scaled ``viewBox`` would shrink the labels to nothing on a phone). Every text is escaped."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import display

BAR = "#00a3c4"
BAR_DARK = "#006d85"
MUTED = "#6c757d"
GRID = "#dee2e6"
REASON_COLOURS = {"absent": "#dc3545", "sick": "#fd7e14", "excused": "#0d6efd"}
LABEL_MAX = 48


@dataclass
class Bar:
    label: str
    value: Decimal | None
    href: str = ""
    key: str = ""


def ticks(scale_max: Decimal) -> list[Decimal]:
    """Grid lines: 0, 25, 50, 75, 100 for percentages; every whole mark up to 5 for marks."""
    if scale_max <= 10:
        return [Decimal(n) for n in range(0, int(scale_max) + 1)]
    return [scale_max * n / 4 for n in range(0, 5)]


def _short(text: str, limit: int = LABEL_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _pct(value: float) -> str:
    return f"{max(0.0, min(100.0, value)):.2f}%"


def bar_chart(bars: list[Bar], *, title: str, scale_max: Decimal, places: int = 1, reference: tuple[str, Decimal | None] | None = None,
              no_data: str = "—", chart_id: str = "bar-chart") -> SafeString:
    """One horizontal bar per item: its name above the bar, the value at the bar's end; the bar's
    length from 0 to ``scale_max``. ``reference``: a dashed line for the parent's value."""
    row_h, top = 40, 26 if reference and reference[1] is not None else 8
    plot = 86.0  # per cent of the width the bars may take; the rest is for the value at the end
    height = top + row_h * len(bars) + 22
    high = float(scale_max) or 1.0

    def x(value: Decimal) -> float:
        return float(value) / high * plot

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" height="{height}" role="figure" class="bar-chart" '
             f'id="{escape(chart_id)}" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for index, value in enumerate(ticks(scale_max)):
        tx = _pct(x(value))
        parts.append(f'<line x1="{tx}" y1="{top}" x2="{tx}" y2="{height - 18}" stroke="{GRID}" stroke-width="1"/>')
        anchor = "start" if index == 0 else "middle"
        parts.append(f'<text x="{tx}" y="{height - 4}" font-size="11" fill="{MUTED}" text-anchor="{anchor}">'
                     f'{escape(display.number(value))}</text>')
    for index, bar in enumerate(bars):
        y = top + index * row_h
        label = escape(_short(bar.label))
        body = [f'<rect x="0" y="{y}" width="100%" height="{row_h - 2}" fill="transparent" class="hit"/>',
                f'<text x="0" y="{y + 14}" font-size="13" fill="#212529">{label}</text>']
        if bar.value is None:
            body.append(f'<text x="0" y="{y + 31}" font-size="12" fill="{MUTED}">{escape(no_data)}</text>')
        else:
            end = x(bar.value)
            shown = escape(display.number(bar.value, places))
            body.append(f'<rect x="0" y="{y + 20}" width="{_pct(end)}" height="13" rx="2" fill="{BAR}" data-value="{bar.value}"/>')
            body.append(f'<text x="{_pct(end + 1)}" y="{y + 31}" font-size="12" font-weight="600" fill="{BAR_DARK}">{shown}</text>')
        group = "".join(body)
        data = f' data-key="{escape(bar.key)}"' if bar.key else ""
        if bar.href:
            parts.append(f'<a href="{escape(bar.href)}" class="bar"{data}><title>{escape(bar.label)}</title>{group}</a>')
        else:
            parts.append(f'<g class="bar"{data}><title>{escape(bar.label)}</title>{group}</g>')
    if reference and reference[1] is not None:
        rx = _pct(x(reference[1]))
        text = f"{reference[0]}: {display.number(reference[1], places)}"
        anchor = "end" if x(reference[1]) > 55 else "start"
        parts.append(f'<line x1="{rx}" y1="{top - 4}" x2="{rx}" y2="{height - 18}" stroke="{BAR_DARK}" stroke-width="1.5" stroke-dasharray="4 3"/>')
        parts.append(f'<text x="{rx}" y="{top - 10}" font-size="11" fill="{BAR_DARK}" text-anchor="{anchor}" class="reference">{escape(text)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every interpolated text is escaped above


def reasons_bar(parts_: Iterable[tuple[str, str, int]], *, title: str) -> SafeString:
    """Missed lessons as one stacked bar: (key, label, count) per reason, widths by share."""
    parts_ = [p for p in parts_ if p[2] > 0]
    total = sum(count for _k, _l, count in parts_)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" height="26" role="img" class="reasons-bar" '
           f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    if not total:
        out.append(f'<rect x="0" y="3" width="100%" height="20" rx="3" fill="{GRID}"/>')
    start = 0.0
    for key, label, count in parts_:
        width = count / total * 100
        out.append(f'<rect x="{_pct(start)}" y="3" width="{_pct(width)}" height="20" fill="{REASON_COLOURS.get(key, MUTED)}" '
                   f'data-reason="{escape(key)}"><title>{escape(label)}: {escape(display.number(count))}</title></rect>')
        start += width
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 — every interpolated text is escaped above


@dataclass
class Point:
    label: str  # under the point (a term's number)
    group: str  # a school year: written under the first point of each
    value: Decimal | None
    title: str = ""


def line_chart(points: list[Point], *, title: str, scale_max: Decimal, places: int = 1, height: int = 230,
               chart_id: str = "series-chart") -> SafeString:
    """A line across periods: y from 0 to ``scale_max`` with five grid lines, the line broken where
    a period has no value, each point labelled with its value."""
    left, right, top, bottom = 9.0, 3.0, 22, 46
    plot_h = height - top - bottom
    high = float(scale_max) or 1.0

    def y(value: float) -> float:
        return top + plot_h - value / high * plot_h

    def x(index: int) -> float:
        if len(points) == 1:
            return left + (100 - left - right) / 2
        inset = 4.0
        return left + inset + (100 - left - right - 2 * inset) * index / (len(points) - 1)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" height="{height}" role="img" class="line-chart" '
           f'id="{escape(chart_id)}" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for value in ticks(scale_max):
        ty = y(float(value))
        out.append(f'<line x1="{_pct(left)}" y1="{ty:.1f}" x2="{_pct(100 - right)}" y2="{ty:.1f}" stroke="{GRID}" stroke-width="1"/>')
        out.append(f'<text x="{_pct(left - 1)}" y="{ty + 4:.1f}" font-size="11" fill="{MUTED}" text-anchor="end">'
                   f'{escape(display.number(value))}</text>')
    previous = None
    for index, point in enumerate(points):
        if point.value is not None and previous is not None:
            pi, pv = previous
            out.append(f'<line x1="{_pct(x(pi))}" y1="{y(float(pv)):.1f}" x2="{_pct(x(index))}" y2="{y(float(point.value)):.1f}" '
                       f'stroke="{BAR}" stroke-width="2.5"/>')
        previous = (index, point.value) if point.value is not None else None
    shown_group = None
    for index, point in enumerate(points):
        px = _pct(x(index))
        out.append(f'<text x="{px}" y="{top + plot_h + 17}" font-size="12" fill="#212529" text-anchor="middle">{escape(point.label)}</text>')
        if point.group != shown_group:
            out.append(f'<text x="{px}" y="{top + plot_h + 34}" font-size="11" fill="{MUTED}" text-anchor="middle">{escape(point.group)}</text>')
            shown_group = point.group
        if point.value is None:
            continue
        py = y(float(point.value))
        value = escape(display.number(point.value, places))
        out.append(f'<circle cx="{px}" cy="{py:.1f}" r="4.5" fill="{BAR_DARK}"><title>{escape(point.title or point.label)}: {value}</title></circle>')
        out.append(f'<text x="{px}" y="{py - 9:.1f}" font-size="12" font-weight="600" fill="{BAR_DARK}" text-anchor="middle">{value}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 — every interpolated text is escaped above
