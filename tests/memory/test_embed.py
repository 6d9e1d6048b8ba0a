"""Sentence embeddings from the pinned wheel, run in numpy: the model's known similarities."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from clippy.memory.embed import load_embedder, read_safetensors
from clippy.memory.passages import MIN_COSINE


def test_safetensors_are_read_whatever_their_alignment(tmp_path: Path) -> None:
    a = np.arange(6, dtype="<f4").reshape(2, 3)
    header = json.dumps(
        {"a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [1, 25]},
         "n": {"dtype": "I64", "shape": [1], "data_offsets": [25, 33]}}
    ).encode()  # fmt: skip
    path = tmp_path / "t.safetensors"
    path.write_bytes(struct.pack("<Q", len(header)) + header + b"\0" + a.tobytes() + b"\0" * 8)
    got = read_safetensors(path)
    assert list(got) == ["a"] and np.array_equal(got["a"], a) and got["a"].flags.aligned


def test_all_minilm_gives_its_published_similarity_and_tells_paraphrases_apart() -> None:
    emb = load_embedder()
    # sentence-transformers' own example pair for this model scores 0.7553.
    ref = emb.similarity("A man is eating food.", "A man is eating a piece of bread.")
    assert ref == pytest.approx(0.7553, abs=0.002)
    vectors = emb.embed(["i fell off the bridge", "i tumbled down from the overpass"])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    paraphrase = emb.similarity("i fell off the bridge", "i tumbled down from the overpass")
    unrelated = emb.similarity("i fell off the bridge", "we need more wood before the night")
    assert paraphrase >= MIN_COSINE > 0.3 > unrelated
