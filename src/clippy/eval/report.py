"""Reports of an evaluation: a table on the terminal; markdown, JSON and PNG files."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from clippy.eval.benchmark import K_MAX, SplitResult
from clippy.eval.planted_score import StreamResult
from clippy.eval.precision import is_hit, top_starts

# Published numbers on the held-out test splits (Lightor README): P@1, P@5, P@10.
PUBLISHED = {
    "Dota2": [("Lightor (ICDE 2020)", (0.72, 0.66, 0.588))],
    "LOL": [("Chat-LSTM, 123 LoL videos (Fu et al. 2017)", (0.60, 0.544, 0.442))],
}


def print_lightor_table(result: SplitResult) -> None:
    """P@1..10 and clip recall as a table."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Lightor {result.game}/{result.split}: {len(result.videos)} videos")
    table.add_column("method")
    for k in ("1", "5", "10"):
        table.add_column(f"P@{k}")
    p = result.precision_at
    table.add_row("Clippy", f"{p['1']:.3f}", f"{p['5']:.3f}", f"{p['10']:.3f}")
    for name, nums in PUBLISHED.get(result.game, []):
        table.add_row(f"{name}, test split", *(f"{v:.3f}" for v in nums))
    console = Console()
    console.print(table)
    console.print(
        f"clip recall {result.clip_recall:.3f} (labelled highlights overlapped by a clip); "
        f"{result.chat_hours:.1f} h of chat in {result.seconds:.1f} s"
    )


def write_lightor_report(result: SplitResult, out_dir: Path) -> list[Path]:
    """``<game>_<split>.md``, ``.json`` and ``.png`` in ``out_dir``; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f"lightor_{result.game}_{result.split}"
    summary = {**result.summary(), "seconds": round(result.seconds, 2)}
    summary["chat_hours"] = round(result.chat_hours, 2)
    md, js, png = stem.with_suffix(".md"), stem.with_suffix(".json"), stem.with_suffix(".png")
    js.write_text(json.dumps(summary, indent=2) + "\n")
    md.write_text(_markdown(result, png.name))
    _plot(result, png)
    return [md, js, png]


def _markdown(result: SplitResult, png: str) -> str:
    p = result.precision_at
    rows = [
        f"# Lightor {result.game}/{result.split}: {len(result.videos)} videos",
        "",
        "| method | P@1 | P@5 | P@10 |",
        "|---|---|---|---|",
        f"| Clippy (this run, {result.split}) | {p['1']:.3f} | {p['5']:.3f} | {p['10']:.3f} |",
    ]
    rows += [
        f"| {name} (published, test) | {a:.3f} | {b:.3f} | {c:.3f} |"
        for name, (a, b, c) in PUBLISHED.get(result.game, [])
    ]
    rows += [
        "",
        f"Clip recall: {result.clip_recall:.3f} of the labelled highlights are overlapped by a "
        "clip the live pipeline makes.",
        f"Evaluated {result.chat_hours:.1f} h of chat in {result.seconds:.1f} s.",
        "",
        f"![score timeline and P@K]({png})",
        "",
    ]
    return "\n".join(rows)


def _plot(result: SplitResult, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # The video with the most labels shows the most of what the detector does.
    v = max(range(len(result.videos)), key=lambda i: len(result.videos[i].highlights))
    video, pred = result.videos[v], result.predictions[v]
    fig, (ax1, ax2) = plt.subplots(
        2, 1, figsize=(11, 7), gridspec_kw={"height_ratios": [3, 2]}, constrained_layout=True
    )
    t = [(pred.timeline.t0 + i) / 60 for i in range(len(pred.timeline.score))]
    ax1.plot(t, pred.timeline.score, lw=0.8, color="tab:blue", label="Clippy score")
    for j, h in enumerate(video.highlights):
        ax1.axvspan(
            h.start / 60,
            h.end / 60,
            color="tab:green",
            alpha=0.3,
            label="labelled highlight" if j == 0 else None,
        )
    top = max(float(pred.timeline.score.max()), 1.0)
    shown: set[str] = set()
    for s in top_starts(pred.starts, K_MAX):
        label = "predicted start: hit" if is_hit(s, video.highlights) else "predicted start: miss"
        color = "tab:green" if label.endswith("hit") else "tab:red"
        ax1.plot(s / 60, top * 1.05, "v", color=color, label=None if label in shown else label)
        shown.add(label)
    ax1.set_xlabel("minutes from video start")
    ax1.set_ylabel("score")
    ax1.set_title(f"{result.game} video {video.key}: score from chat against the labels")
    ax1.legend(loc="lower center", fontsize=8, ncol=4)  # the top holds the start markers
    ks = list(range(1, K_MAX + 1))
    ax2.plot(ks, [result.precision_at[str(k)] for k in ks], "o-", label=f"Clippy ({result.split})")
    for name, (p1, p5, p10) in PUBLISHED.get(result.game, []):
        ax2.plot([1, 5, 10], [p1, p5, p10], "s--", color="gray", label=f"{name} (test)")
    ax2.set_xlabel("K")
    ax2.set_ylabel("Precision@K")
    ax2.set_ylim(0, 1.05)
    ax2.set_xticks(ks)
    ax2.grid(alpha=0.3)
    ax2.legend(fontsize=8)
    fig.savefig(path, dpi=90)
    plt.close(fig)


def write_planted_report(
    results: Sequence[StreamResult], summary: dict[str, Any], out_dir: Path
) -> list[Path]:
    """``planted.md``, ``.json`` and ``.png`` (every stream: planted moments against clips)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    md, js, png = (out_dir / f"planted.{ext}" for ext in ("md", "json", "png"))
    js.write_text(json.dumps(summary, indent=2) + "\n")
    by_kind = summary["recall_by_kind"]
    rows = [
        f"# Planted-moment streams: {summary['streams']} streams, {summary['minutes']} min",
        "",
        "| kind | recall |",
        "|---|---|",
        *(f"| {k} | {v:.2f} |" for k, v in by_kind.items()),
        f"| **all moments** | **{summary['recall']:.2f}** |",
        "",
        f"Traps (loud game sounds) clipped: {summary['traps_clipped']} of {summary['traps']}.",
        f"False clips per 10 minutes: {summary['false_clips_per_10min']}.",
        f"Mean start error {summary['mean_start_error_s']} s (negative: the clip starts before"
        f" the moment), mean end error {summary['mean_end_error_s']} s.",
        "",
        f"![planted moments and clips]({png.name})",
        "",
    ]
    md.write_text("\n".join(rows))
    _plot_planted(results, png)
    return [md, js, png]


_KIND_COLORS = {
    "shout": "tab:orange",
    "hype": "tab:purple",
    "laughter": "tab:olive",
    "chat": "tab:cyan",
    "trap": "tab:red",
}


def _plot_planted(results: Sequence[StreamResult], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(11, 1.0 + 0.6 * len(results)), constrained_layout=True)
    shown: set[str] = set()
    for row, r in enumerate(results):
        for s, e, _reason in r.clips:
            label = None if "clip" in shown else "clip"
            ax.barh(row, (e - s) / 60, left=s / 60, height=0.35, color="tab:blue", label=label)
            shown.add("clip")
        for p in r.planted:
            label = None if p.kind in shown else p.kind
            ax.plot([p.start / 60], [row + 0.3], "v", color=_KIND_COLORS[p.kind], label=label)
            shown.add(p.kind)
    ax.set_yticks(range(len(results)), [r.name for r in results])
    ax.set_xlabel("minutes")
    ax.set_title("Planted moments (triangles; a red trap must not be clipped) and clips (bars)")
    ax.legend(loc="upper right", fontsize=8, ncol=6)
    ax.set_ylim(-0.6, len(results) - 0.2 + 0.6)
    fig.savefig(path, dpi=90)
    plt.close(fig)
