"""Charts drawn as inline SVG on the server: no JavaScript build chain, readable without scripts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

PALETTE = ["#2563eb", "#16a34a", "#dc2626", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#475569"]


@dataclass(frozen=True)
class Bar:
    """One labelled value; `colour` overrides the palette, `text` the printed value (e.g. `3.2 days`)."""

    label: str
    value: float
    colour: str | None = None
    note: str = ""
    text: str = ""


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def bar_chart(
    bars: Sequence[Bar], *, title: str, unit: str = "", width: int = 640, label_width: int = 190
) -> Markup:
    """A horizontal bar chart with labels and values; an accessible title and description."""
    row, label_w, pad = 28, label_width, 8
    height = max(1, len(bars)) * row + 2 * pad
    peak = max((b.value for b in bars), default=0) or 1
    plot_w = width - label_w - 90
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for i, bar in enumerate(bars):
        y = pad + i * row
        w = max(1.0, plot_w * bar.value / peak) if bar.value else 0
        colour = bar.colour or PALETTE[i % len(PALETTE)]
        shown = escape(bar.text) if bar.text else f"{_fmt(bar.value)}{escape(unit)}"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 18}" text-anchor="end" class="chart-label">{escape(bar.label)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row - 10}" rx="3" fill="{colour}">'
            f"<title>{escape(bar.label)}: {_fmt(bar.value)}{escape(unit)} {escape(bar.note)}</title></rect>"
            f'<text x="{label_w + w + 6:.1f}" y="{y + 18}" class="chart-value">{shown}</text>'
        )
    if not bars:
        parts.append(
            f'<text x="{width / 2}" y="{height / 2 + 4}" text-anchor="middle" class="chart-empty">no data</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every label and title above passes through escape()


def line_chart(
    series: dict[str, Sequence[tuple[str, float]]],
    *,
    title: str,
    unit: str = "",
    width: int = 640,
    height: int = 220,
) -> Markup:
    """Lines over shared x labels (e.g. months), with a legend; points carry their values as tooltips."""
    left, right, top, bottom = 56, 40, 16, 40
    labels = sorted({x for points in series.values() for x, _ in points})
    peak = max((v for points in series.values() for _, v in points), default=0) or 1
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(1, len(labels) - 1)
    xpos = {x: left + i * step for i, x in enumerate(labels)}
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height + 20 * _legend_rows(series, left, width)}" width="100%" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" class="chart-axis"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" class="chart-label">{_fmt(peak)}{escape(unit)}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" class="chart-label">0</text>',
    ]
    legend = _legend(series, left, height, width)
    every = max(1, len(labels) // 8)
    for i, x in enumerate(labels):
        if i % every == 0 or i == len(labels) - 1:
            parts.append(
                f'<text x="{xpos[x]:.1f}" y="{top + plot_h + 16}" text-anchor="middle" class="chart-label">{escape(x)}</text>'
            )
    for i, (name, points) in enumerate(series.items()):
        colour = PALETTE[i % len(PALETTE)]
        coords = [(xpos[x], top + plot_h - plot_h * v / peak, x, v) for x, v in sorted(points)]
        path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy, _, _ in coords)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>')
        for cx, cy, x, v in coords:
            parts.append(
                f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3" fill="{colour}"><title>{escape(name)} {escape(x)}: '
                f"{_fmt(v)}{escape(unit)}</title></circle>"
            )
        lx, ly = legend[name]
        parts.append(
            f'<rect x="{lx}" y="{ly - 9}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{lx + 18}" y="{ly + 1}" class="chart-label">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every label and title above passes through escape()


def _legend(series: dict, left: int, top: int, width: int) -> dict[str, tuple[float, float]]:
    """Legend entries side by side, wrapping onto new rows: name -> (x, y)."""
    spots, x, y = {}, float(left), float(top)
    for name in series:
        needed = 30 + 7 * len(str(name))  # swatch, gap and roughly 7 px per character at 12 px
        if x + needed > width and x > left:
            x, y = float(left), y + 20
        spots[name] = (x, y)
        x += needed
    return spots


def _legend_rows(series: dict, left: int, width: int) -> int:
    spots = _legend(series, left, 0, width)
    return 1 + int(max((y for _, y in spots.values()), default=0) // 20)
