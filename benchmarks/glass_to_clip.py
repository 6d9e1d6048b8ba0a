"""The glass-to-clip table that ``latency_bench.py`` and ``record_bench.py`` both print."""

from __future__ import annotations

import os
import statistics


def print_glass_to_clip(rows: list[tuple[str, float, float]], setup: str) -> None:
    """Print one row per planted moment (kind, stream time, seconds to its clip; NaN when no
    clip covered it), then p50/p95 over the moments that were clipped, with ``setup`` and the
    load average beside them (wall times mean little on a busy machine)."""
    print("| moment | stream time s | glass-to-clip s |")
    for kind, t, lat in rows:
        print(f"| {kind} | {t:.1f} | {lat:.1f} |")
    lats = sorted(x for _, _, x in rows if x == x)
    if lats:
        p95 = lats[min(len(lats) - 1, round(0.95 * (len(lats) - 1)))]
        print(
            f"glass-to-clip p50 {statistics.median(lats):.1f} s, p95 {p95:.1f} s over"
            f" {len(lats)}/{len(rows)} moments ({setup}, load {os.getloadavg()[0]:.1f})"
        )
