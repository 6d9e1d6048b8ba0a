"""Server-side SVG charts: small, accessible, no JavaScript and no chart library.

Every text node is escaped; the result is returned as ``Markup`` for the templates.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

__all__ = ["bar_chart", "hbar_chart", "loudness_chart"]


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


_DB_FLOOR, _DB_TOP = -60.0, 0.0


def loudness_chart(
    peaks: Sequence[tuple[float, float | None]],
    start: float,
    end: float,
    *,
    title: str,
    highlight: tuple[float, float] | None = None,
    links: Sequence[tuple[float, float, str]] = (),
    marks: Sequence[tuple[float, float, str]] = (),
    width: int = 1000,
    height: int = 96,
) -> Markup:
    """A filled loudness curve (dBFS, -60 to 0) over stream time [``start``, ``end``).

    ``peaks`` are (time, dB or None) samples; ``None`` breaks the curve (no recording).
    ``highlight`` shades a time range; ``links`` are (from, to, href) clickable bands;
    ``marks`` are (from, to, label) ranges drawn as a bar along the top (the clips made).
    The SVG's ``data-start``/``data-end`` let the page map a click to a stream time.
    """
    span = max(end - start, 1e-6)

    def x(t: float) -> float:
        return (t - start) / span * width

    def y(db: float) -> float:
        frac = (min(max(db, _DB_FLOOR), _DB_TOP) - _DB_FLOOR) / (_DB_TOP - _DB_FLOOR)
        return height - 2 - frac * (height - 6)

    parts = [
        f'<svg class="chart loudness" viewBox="0 0 {width} {height}" role="img"'
        f' aria-label="{escape(title)}" preserveAspectRatio="none"'
        f' data-start="{start:.3f}" data-end="{end:.3f}">',
        f"<title>{escape(title)}</title>",
    ]
    if highlight:
        a, b = x(max(highlight[0], start)), x(min(highlight[1], end))
        parts.append(
            f'<rect class="view" x="{a:.1f}" y="0" width="{max(b - a, 2):.1f}" height="{height}"/>'
        )
    runs: list[list[tuple[float, float]]] = [[]]
    for t, db in peaks:
        if db is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((x(t), y(db)))
    for run in runs:
        if not run:
            continue
        line = " ".join(f"{px:.1f},{py:.1f}" for px, py in run)
        left, right = run[0][0], run[-1][0]
        parts.append(
            f'<polygon class="area" points="{left:.1f},{height} {line} {right:.1f},{height}"/>'
        )
    parts.append('<rect class="sel" data-sel x="0" y="0" width="0" height="100%"/>')
    for a, b, label in marks:
        if b <= start or a >= end:
            continue
        left, right = x(max(a, start)), x(min(b, end))
        parts.append(
            f'<rect class="mark" data-clip-mark x="{left:.1f}" y="0"'
            f' width="{max(right - left, 3):.1f}" height="{max(4, height // 8)}">'
            f"<title>{escape(label)}</title></rect>"
        )
    for a, b, href in links:
        parts.append(
            f'<a href="{escape(href)}"><rect class="band" x="{x(a):.1f}" y="0"'
            f' width="{max(x(b) - x(a), 1):.1f}" height="{height}"/></a>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
