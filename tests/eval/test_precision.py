"""Precision@K under Lightor's protocol, on hand-made labels with known answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from clippy.eval.lightor import Highlight, load_split
from clippy.eval.precision import clip_recall, is_hit, precision_at, precision_curve, top_starts
from tests.eval.lightor_files import write_video

HL = [Highlight(100.0, 115.0), Highlight(400.0, 420.0)]


def test_hit_window_is_ten_seconds_early_to_the_end() -> None:
    assert is_hit(90.0, HL)  # gt_start - 10: still a hit
    assert not is_hit(89.0, HL)  # 11 s early: a miss
    assert is_hit(115.0, HL)  # the last second of the highlight
    assert not is_hit(116.0, HL)
    assert is_hit(405.0, HL)


def test_top_starts_keep_120_seconds_apart_best_first() -> None:
    cands = [(100.0, 5.0), (150.0, 4.0), (219.0, 3.5), (220.0, 3.0), (400.0, 1.0)]
    # 150 is 50 s from 100 (dropped), 219 is 119 s away (dropped), 220 is exactly 120 s: kept.
    assert top_starts(cands, 10) == [100.0, 220.0, 400.0]
    assert top_starts(cands, 2) == [100.0, 220.0]


def test_precision_counts_missing_predictions_as_misses() -> None:
    preds = [[95.0, 300.0, 410.0]]  # hit, miss, hit
    assert precision_at(preds, [HL], 1) == 1.0
    assert precision_at(preds, [HL], 2) == 0.5
    assert precision_at(preds, [HL], 3) == pytest.approx(2 / 3)
    assert precision_at(preds, [HL], 5) == pytest.approx(2 / 5)  # two predictions missing


def test_precision_averages_over_videos() -> None:
    preds = [[100.0], [50.0]]
    labels = [HL, [Highlight(200.0, 210.0)]]
    assert precision_curve(preds, labels, 2) == {"1": 0.5, "2": 0.25}


def test_clip_recall_counts_labels_a_clip_overlaps() -> None:
    clips = [[(80.0, 101.0), (500.0, 530.0)]]
    assert clip_recall(clips, [HL]) == 0.5  # the first label overlapped, the second not
    assert clip_recall([[(415.0, 440.0), (90.0, 95.0)]], [HL]) == 0.5
    assert clip_recall([[]], [HL]) == 0.0


def test_loader_reads_times_and_labels(tmp_path: Path) -> None:
    write_video(
        tmp_path,
        "123",
        labels=["001-50 001-40 001-55", "000-00 005-00 005-20", "000-00 000-00 000-00"],
        chat=[(3.7, "a", "LUL"), (1.2, "b", "hello world")],
    )
    (video,) = load_split(tmp_path, "Dota2", "test")
    assert video.key == "123"
    assert [(c.time, c.user, c.text) for c in video.chat] == [
        (1.0, "b", "hello world"),
        (3.0, "a", "LUL"),
    ]
    # The empty '000-00 000-00' row carries no interval and is skipped.
    assert video.highlights == [Highlight(100.0, 115.0), Highlight(300.0, 320.0)]


def test_loader_uses_epoch_start_from_file_name(tmp_path: Path) -> None:
    start = 1489871694700  # LoL: epoch ms, video start in the name; seconds drop the ms
    write_video(
        tmp_path,
        "nalcs_g1",
        labels=["000-00 001-00 001-10"],
        chat=[(10.0, "u", "x")],
        game="LOL",
        start_ms=start,
    )
    (video,) = load_split(tmp_path, "LOL", "test")
    assert video.chat[0].time == 10.0
