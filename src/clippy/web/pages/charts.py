"""Server-side SVG charts: small, accessible, no JavaScript and no chart library.

Every text node is escaped; the result is returned as ``Markup`` for the templates.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

__all__ = ["bar_chart", "hbar_chart"]


def _nice_max(value: float) -> float:
    # Round the axis up to 1, 2 or 5 times a power of ten so gridline labels are readable numbers.
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return float(step * magnitude)
    return float(10 * magnitude)


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    width: int = 640,
    height: int = 220,
) -> Markup:
    """A vertical bar chart (one bar per label) with a y axis and every other x label."""
    left, bottom, top = 32, 28, 10
    plot_w, plot_h = width - left - 8, height - bottom - top
    top_value = _nice_max(max(values, default=0))
    n = max(1, len(values))
    slot = plot_w / n
    bar_w = max(2.0, slot * 0.62)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}"'
        ' preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(title)}</title>",
    ]
    for frac in (0.0, 0.5, 1.0):
        y = top + plot_h * (1 - frac)
        label = f"{top_value * frac:g}"
        parts.append(f'<line class="grid" x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>'
        )
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * value / top_value
        x = left + slot * i + (slot - bar_w) / 2
        y = top + plot_h - h
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}"'
            f' height="{max(h, 0):.1f}" rx="3"><title>{escape(label)}: {value:g}</title></rect>'
        )
        if i % 2 == (n - 1) % 2:  # label every other bar, always the last (today)
            parts.append(
                f'<text class="axis" x="{x + bar_w / 2:.1f}" y="{height - 8}"'
                f' text-anchor="middle">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def hbar_chart(
    items: Sequence[tuple[str, int]], *, title: str, width: int = 640, row: int = 30
) -> Markup:
    """A horizontal bar chart of (label, count) rows, largest first."""
    if not items:
        return Markup("")
    label_w = 170
    height = row * len(items) + 6
    top_value = max(v for _, v in items) or 1
    plot_w = width - label_w - 48
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img"'
        f' aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value) in enumerate(items):
        y = 3 + i * row
        w = max(2.0, plot_w * value / top_value)
        parts.append(
            f'<text class="label" x="{label_w - 10}" y="{y + row / 2 + 4:.1f}" text-anchor="end">'
            f"{escape(label)}</text>"
        )
        parts.append(
            f'<rect class="bar" x="{label_w}" y="{y + 5}" width="{w:.1f}"'
            f' height="{row - 10}" rx="3"/>'
        )
        parts.append(
            f'<text class="value" x="{label_w + w + 8:.1f}" y="{y + row / 2 + 4:.1f}">'
            f"{value}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
