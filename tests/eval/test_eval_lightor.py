"""``clippy eval lightor``: the live detector scored on a Lightor-layout split."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from clippy.cli import main
from tests.eval.lightor_files import write_video

DATASET = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "lightor"


def _mmss(t: float) -> str:
    return f"{int(t) // 60:03d}-{int(t) % 60:02d}"


def _chat_with_reactions(
    moments: list[float], length: float, seed: int
) -> list[tuple[float, str, str]]:
    """Steady chatter (one line per ~2 s) and, 20 s after each moment, 25 viewers reacting."""
    rng = random.Random(seed)
    chat = [
        (float(t), f"u{rng.randrange(40)}", "anyone know the build")
        for t in range(0, int(length), 2)
    ]
    for m in moments:
        chat += [(m + 15 + rng.uniform(0, 12), f"fan{i}", "OMEGALUL LUL") for i in range(25)]
    return sorted(chat)


def test_reactions_after_moments_are_found_with_their_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    moments = [200.0, 500.0, 800.0]
    labels = [f"000-00 {_mmss(m)} {_mmss(m + 15)}" for m in moments]
    write_video(tmp_path, "v1", labels=labels, chat=_chat_with_reactions(moments, 1000, 1))
    assert main(["eval", "lightor", str(tmp_path), "--split", "test", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"game", "split", "videos", "precision_at", "clip_recall"}
    assert (out["game"], out["split"], out["videos"]) == ("Dota2", "test", 1)
    # Every planted reaction is the top of the ranking, its start moved back before the burst.
    assert out["precision_at"]["1"] == 1.0
    assert out["precision_at"]["3"] == 1.0
    assert out["precision_at"]["10"] == pytest.approx(0.3)
    # The live pipeline clips each of them, the clip covering the moment itself.
    assert out["clip_recall"] == 1.0


def test_what_a_mac_or_jupyter_leaves_in_the_chat_folder_is_ignored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_video(
        tmp_path, "v1", labels=["000-00 001-00 001-10"], chat=[(1.0, "u", "hi")], split="train"
    )
    chat_dir = tmp_path / "dataset/Dota2/train/chat"
    (chat_dir / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (chat_dir / ".ipynb_checkpoints").mkdir()
    assert main(["eval", "lightor", str(tmp_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["videos"] == 1


def test_missing_dataset_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", "lightor", str(tmp_path / "nope"), "--game", "LOL"]) == 2
    err = capsys.readouterr().err
    assert "nope/LOL/train/chat is not a directory" in err
    assert "Lightor layout" in err


def test_malformed_chat_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_video(
        tmp_path, "v1", labels=["000-00 001-00 001-10"], chat=[(1.0, "u", "hi")], split="train"
    )
    (tmp_path / "dataset/Dota2/train/chat/v1 720000.csv").write_text("1\tv1\tu\tno timestamp\n")
    assert main(["eval", "lightor", str(tmp_path)]) == 2
    assert "expected 6 tab-separated columns" in capsys.readouterr().err


def test_malformed_label_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_video(
        tmp_path, "v1", labels=["000-00 1:00 001-10"], chat=[(1.0, "u", "hi")], split="train"
    )
    assert main(["eval", "lightor", str(tmp_path)]) == 2
    assert "time '1:00' is not MMM-SS" in capsys.readouterr().err


@pytest.mark.skipif(not DATASET.is_dir(), reason=f"the Lightor train split is not at {DATASET}")
def test_lol_train_split_beats_the_published_baseline(capsys: pytest.CaptureFixture[str]) -> None:
    """The one LoL train video (the fastest real split): P@10 over the chat LSTM's 0.442."""
    assert main(["eval", "lightor", str(DATASET), "--game", "LOL", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["videos"] == 1
    assert out["precision_at"]["10"] >= 0.45
