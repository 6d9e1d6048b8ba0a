"""Memory: retrieval latency over 48 h x 10 streams of transcripts, index size, and the cost
of sentence embeddings per hour of speech.

Fills a fresh database (SQLite file, or PostgreSQL with --pg) with one owner's 10 streams
of 48 h of transcript chunks each (10 s chunks of ~25 words from a seeded vocabulary, every
chunk said within the last 48 h), then times what live detection runs for one cue: a
callback (full-text candidates + picking the sentence) and an outcome (the last 2 h of
chunks, scanned for predictions). Prints p50/p95/max per kind, the database and full-text
index size, and, unless --no-embed, the time to embed one hour of speech (360 chunks) and
the size of its vectors.

    .venv/bin/python benchmarks/memory_bench.py [--hours 48] [--streams 10] [--queries 60] [--pg]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from clippy.accounts.plans import retention_cutoff  # noqa: E402
from clippy.db.migrate import upgrade  # noqa: E402
from clippy.db.models import Stream, TranscriptSegment, User  # noqa: E402
from clippy.db.session import make_engine, make_session_factory  # noqa: E402
from clippy.db.types import utcnow  # noqa: E402
from clippy.memory.cues import Cue  # noqa: E402
from clippy.memory.index import matching_chunks, recent_chunks  # noqa: E402
from clippy.memory.live import PREDICTION_CHUNKS, PREDICTION_HORIZON  # noqa: E402
from clippy.memory.passages import best_passage  # noqa: E402
from clippy.memory.resolve import find_prediction  # noqa: E402

# Speech: common words often, and a Zipf-distributed vocabulary of 5000 content words (made
# up, seeded), so a distinctive word is as rare as in real talk.
_COMMON_TEXT = """the a we i you they go went run this that what when where it is was and to of
in on for with just really now then there here so oh okay yeah like get got"""
_COMMON = _COMMON_TEXT.split()
TOPICS = [
    "i fell off the bridge", "the dragon ate my horse", "we built the castle by the lake",
    "the boss killed me with one punch", "my cat walked across the keyboard",
    "i sold the golden sword", "the spider in the tower", "i crashed the car into the river",
]  # fmt: skip
CHUNK_SECONDS = 10.0


def vocabulary(rng: random.Random, n: int = 5000) -> tuple[list[str], list[float]]:
    """Made-up content words and Zipf weights; the topics' own words are among the rare."""
    syll = ["ka", "lo", "mi", "ren", "to", "sa", "vel", "dor", "pi", "nu", "gar", "el", "fen"]
    words = {"".join(rng.choice(syll) for _ in range(rng.randint(2, 4))) for _ in range(3 * n)}
    vocab = sorted(words)[:n]
    rng.shuffle(vocab)
    topic_words = {w for t in TOPICS for w in t.split()} - set(_COMMON)
    vocab[n // 4 : n // 4 + len(topic_words)] = sorted(topic_words)
    return vocab, [1.0 / (k + 1) for k in range(len(vocab))]


def fill(session: Session, hours: float, streams: int, rng: random.Random) -> tuple[int, int]:
    """One owner with ``streams`` streams of ``hours`` of chunks; (user id, last stream id)."""
    user = User(email="bench@example.test", password_hash="x", plan="pro")
    session.add(user)
    session.flush()
    now = utcnow()
    per_stream = int(hours * 3600 / CHUNK_SECONDS)
    vocab, weights = vocabulary(rng)
    stream_id = 0
    for k in range(streams):
        stream = Stream(user_id=user.id, client_stream_id=f"s{k}", status="ended")
        session.add(stream)
        session.flush()
        stream_id = stream.id
        rows = []
        for i in range(per_stream):
            t = i * CHUNK_SECONDS
            said = [
                rng.choice(_COMMON) if rng.random() < 0.55 else w
                for w in rng.choices(vocab, weights, k=25)
            ]
            if rng.random() < 0.002:
                said[5:10] = rng.choice(TOPICS).split()
            if rng.random() < 0.002:
                said[12:18] = ["i", "bet", "i", "win", "this", "round"]
            words = [
                {"text": w, "start": t + j * 0.38, "end": t + j * 0.38 + 0.3}
                for j, w in enumerate(said)
            ]
            rows.append(
                {
                    "stream_id": stream.id,
                    "chunk_id": f"{stream.id}:{i}",
                    "start_time": t,
                    "end_time": t + CHUNK_SECONDS,
                    "text": " ".join(said),
                    "words": words,
                    "source": "bench",
                    # Streams spread over the 48 h, chunks in time order within each.
                    "created_at": now - timedelta(hours=hours) + timedelta(seconds=t),
                }
            )
        for i in range(0, len(rows), 5000):
            session.execute(insert(TranscriptSegment), rows[i : i + 5000])
        session.commit()
    return user.id, stream_id


def timed(fn: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each run (CPU time is what load does not inflate)."""
    wall, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return wall, cpu


def _p95(ms: list[float]) -> float:
    ms = sorted(ms)
    return ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]


def row(name: str, times: tuple[list[float], list[float]]) -> str:
    wall, cpu = times
    return (
        f"{name:32} {statistics.median(wall):7.1f} {_p95(wall):7.1f} {max(wall):7.1f}"
        f" {statistics.median(cpu):7.1f} {_p95(cpu):7.1f}"
    )


def sizes(session: Session) -> str:
    if session.get_bind().dialect.name == "sqlite":
        pages = session.execute(
            text("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'transcript_fts%'")
        ).scalar()
        total = session.execute(text("SELECT SUM(pgsize) FROM dbstat")).scalar()
        return f"database {total / 2**20:.0f} MiB, of it the FTS5 index {pages / 2**20:.0f} MiB"
    total = session.execute(text("SELECT pg_database_size(current_database())")).scalar()
    idx = session.execute(
        text("SELECT pg_relation_size(indexrelid) FROM pg_index i JOIN pg_class c "
             "ON c.oid = i.indexrelid WHERE c.relname LIKE '%tsv%' OR c.relname LIKE '%fts%'")
    ).scalars().all()  # fmt: skip
    return f"database {total / 2**20:.0f} MiB, of it tsvector GIN index {sum(idx) / 2**20:.0f} MiB"


def embed_cost(rng: random.Random) -> str:
    from clippy.memory.embed import load_embedder

    emb = load_embedder()
    texts = [" ".join(rng.choice(_COMMON + TOPICS) for _ in range(12)) for _ in range(360)]
    emb.embed(texts[:8])  # warm up
    t, c = time.perf_counter(), time.process_time()
    for i in range(0, len(texts), 32):
        emb.embed(texts[i : i + 32])
    took, cpu = time.perf_counter() - t, time.process_time() - c
    return (
        f"embedding 1 h of speech (360 chunks of 25 words): {took:.1f} s wall, {cpu:.1f} s CPU"
        f" ({cpu / 3600 * 100:.2f} % of one core), vectors {360 * 384 * 4 / 1024:.0f} KiB/h"
        f" = {480 * 360 * 384 * 4 / 2**20:.0f} MiB for 48 h x 10 streams"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hours", type=float, default=48.0)
    ap.add_argument("--streams", type=int, default=10)
    ap.add_argument("--queries", type=int, default=60)
    ap.add_argument("--pg", default="", help="a PostgreSQL URL of an empty database")
    ap.add_argument("--no-embed", action="store_true")
    args = ap.parse_args()
    rng = random.Random(14)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.pg or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        upgrade(url)
        factory = make_session_factory(make_engine(url))
        t = time.perf_counter()
        with factory() as s:
            user_id, last = fill(s, args.hours, args.streams, rng)
            chunks = s.query(TranscriptSegment).count()
        print(f"filled {chunks} chunks ({args.streams} x {args.hours:.0f} h) in "
              f"{time.perf_counter() - t:.0f} s")  # fmt: skip
        now = utcnow()
        since = retention_cutoff("pro", now)
        topics = iter(rng.choice(TOPICS) for _ in range(10**6))
        # Said in other words: one word no chunk holds, so the any-word fallback runs.
        reworded = iter(rng.choice(TOPICS) + " yesterday evening overpass" for _ in range(10**6))
        outcome = Cue("outcome", 0.0, 1.0, "i told you", "")

        def callback() -> object:
            topic = next(topics)
            with factory() as s:
                found = matching_chunks(s, user_id, topic, since=since, exclude=(last, 1e9))
            return best_passage(topic, found)

        def callback_reworded() -> object:
            topic = next(reworded)
            with factory() as s:
                found = matching_chunks(s, user_id, topic, since=since, exclude=(last, 1e9))
            return best_passage(topic, found)

        def prediction() -> object:
            with factory() as s:
                found = recent_chunks(
                    s, user_id, since=now - PREDICTION_HORIZON, before=(last, 1e9),
                    limit=PREDICTION_CHUNKS,
                )  # fmt: skip
            return find_prediction(outcome, found)

        head = ("p50", "p95", "max", "cpu p50", "cpu p95")
        print(f"{'one retrieval (ms)':32} " + " ".join(f"{h:>7}" for h in head))
        print(row("callback: full text + sentence", timed(callback, args.queries)))
        print(row("callback in other words", timed(callback_reworded, args.queries)))
        print(row("outcome: last 2 h of chunks", timed(prediction, args.queries)))
        found = prediction()
        print(f"  (the outcome finds a planted prediction: {found is not None})")
        with factory() as s:
            print(sizes(s))
    if not args.no_embed:
        print(embed_cost(rng))
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "unset")
    print(f"(2 cores, measured under load; OPENBLAS_NUM_THREADS={threads})")
    print("reproduce: .venv/bin/python benchmarks/memory_bench.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
