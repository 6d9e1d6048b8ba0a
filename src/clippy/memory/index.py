"""The memory's storage side: an owner's remembered speech and moments, within retention.

Full-text search (SQLite FTS5 / PostgreSQL tsvector, the transcript index that exists) finds
the candidate chunks; ``passages.best_passage`` picks the sentence. Every query is bounded
by ``since`` (the plan's retention cutoff): what is past retention is never retrieved, even
before the sweeper has deleted it.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, bindparam, func, select, text
from sqlalchemy.orm import Session

from clippy.db import Clip, ClipRange, Stream, TranscriptSegment, UTCDateTime
from clippy.memory.cues import PREDICTION_SEARCH_WORDS, STOPWORDS, may_predict_text, normalise
from clippy.memory.passages import Chunk

_TOKEN = re.compile(r"[a-z0-9]+")
_IRREGULAR_FORMS = {"fell": ("fall",), "fall": ("fell",), "won": ("win",), "win": ("won",)}


def search_words(topic: str) -> list[tuple[str, ...]]:
    """The words to look a topic up by: its distinctive words as said, each with the other
    forms of an irregular verb (the stemmers do not join "fell" and "fall")."""
    out: list[tuple[str, ...]] = []
    for tok in _TOKEN.findall(normalise(topic)):
        if tok in STOPWORDS or len(tok) < 3 or any(tok in g for g in out):
            continue
        out.append((tok, *_IRREGULAR_FORMS.get(tok, ())))
    return out


def matching_chunks(
    session: Session,
    user_id: int,
    topic: str,
    *,
    since: datetime,
    exclude: tuple[int, float] | None = None,
    limit: int = 50,
) -> list[Chunk]:
    """Transcript chunks of ``user_id``'s streams holding the distinctive words of ``topic``
    (all of them; failing that, any), said at or after ``since``, best matches first.
    ``exclude`` = (stream id, stream time): that stream's chunks from that time on are left
    out (the callback itself)."""
    groups = search_words(topic)
    if not groups:
        return []
    # Ranking every chunk holding any one word costs more the commoner the word (measured
    # 200 ms CPU over 48 h x 10 streams); chunks holding them all are few and are the ones
    # wanted. Any-word search is the fallback for a callback said in other words.
    found = _search(session, user_id, groups, True, since, exclude, limit)
    if not found and len(groups) > 1:
        found = _search(session, user_id, groups, False, since, exclude, limit)
    return found


def _search(
    session: Session,
    user_id: int,
    groups: list[tuple[str, ...]],
    every: bool,
    since: datetime,
    exclude: tuple[int, float] | None,
    limit: int,
) -> list[Chunk]:
    params: dict[str, Any] = {"user_id": user_id, "since": since, "limit": limit}
    skip = ""
    if exclude is not None:
        skip = " AND NOT (t.stream_id = :ex_stream AND t.end_time > :ex_time)"
        params.update(ex_stream=exclude[0], ex_time=exclude[1])
    cols = "t.id, t.stream_id, t.words, t.created_at"
    if session.get_bind().dialect.name == "sqlite":
        terms = ["(" + " OR ".join(f'"{w}"' for w in g) + ")" for g in groups]
        params["q"] = (" AND " if every else " OR ").join(terms)
        sql = (
            f"SELECT {cols} FROM transcript_fts f JOIN transcript_segments t ON t.id = f.rowid "
            "JOIN streams s ON s.id = t.stream_id "
            f"WHERE transcript_fts MATCH :q AND s.user_id = :user_id AND t.created_at >= :since"
            f"{skip} ORDER BY bm25(transcript_fts) LIMIT :limit"
        )
    else:
        terms = ["(" + " | ".join(g) + ")" for g in groups]
        params["q"] = (" & " if every else " | ").join(terms)
        sql = (
            f"SELECT {cols} FROM transcript_segments t JOIN streams s ON s.id = t.stream_id "
            "WHERE t.text_tsv @@ to_tsquery('english', :q) AND s.user_id = :user_id "
            f"AND t.created_at >= :since{skip} "
            "ORDER BY ts_rank(t.text_tsv, to_tsquery('english', :q)) DESC LIMIT :limit"
        )
    query = (
        text(sql)
        .bindparams(bindparam("since", type_=UTCDateTime()))
        .columns(words=JSON(), created_at=UTCDateTime())
    )
    return [_row(r) for r in session.execute(query, params)]


def recent_chunks(
    session: Session, user_id: int, *, since: datetime, before: tuple[int, float], limit: int
) -> list[Chunk]:
    """``user_id``'s transcript chunks said since ``since`` that may hold a prediction, newest
    first, without the given stream's chunks from the given time on (the outcome itself).

    Bounded twice: only the owner's streams that were still transcribing after ``since`` are
    looked at, and within them only chunks the full-text index says hold a prediction word
    (reading and testing every chunk of the last 2 h of 10 streams cost 125 ms CPU). Word
    lists are decoded only for chunks whose text passes the prediction test."""
    streams = _streams_since(session, user_id, since)
    if not streams:
        return []
    stream_id, t = before
    params: dict[str, Any] = {"since": since, "ex_stream": stream_id, "ex_time": t, "limit": limit}
    in_streams = ", ".join(f":s{i}" for i in range(len(streams)))
    params.update({f"s{i}": sid for i, sid in enumerate(streams)})
    if session.get_bind().dialect.name == "sqlite":
        params["q"] = " OR ".join(f'"{w}"' for w in PREDICTION_SEARCH_WORDS[:-1]) + ' OR "if i get"'
        match = "t.id IN (SELECT rowid FROM transcript_fts WHERE transcript_fts MATCH :q)"
    else:
        params["q"] = " | ".join(PREDICTION_SEARCH_WORDS)
        match = "t.text_tsv @@ to_tsquery('english', :q)"
    sql = (
        f"SELECT t.id, t.text FROM transcript_segments t WHERE {match} "
        f"AND t.stream_id IN ({in_streams}) AND t.created_at >= :since "
        "AND NOT (t.stream_id = :ex_stream AND t.end_time > :ex_time) "
        "ORDER BY t.created_at DESC LIMIT :limit"
    )
    query = text(sql).bindparams(bindparam("since", type_=UTCDateTime()))
    ids = [i for i, said in session.execute(query, params) if may_predict_text(said)]
    if not ids:
        return []
    rows = session.execute(
        select(
            TranscriptSegment.id,
            TranscriptSegment.stream_id,
            TranscriptSegment.words,
            TranscriptSegment.created_at,
        )
        .where(TranscriptSegment.id.in_(ids))
        .order_by(TranscriptSegment.created_at.desc())
    )
    return [_row(r) for r in rows]


def _streams_since(session: Session, user_id: int, since: datetime) -> list[int]:
    """The owner's streams with a transcript chunk said at or after ``since``: each stream's
    newest chunk is one lookup in the (stream, time) index."""
    newest = (
        select(func.max(TranscriptSegment.start_time))
        .where(TranscriptSegment.stream_id == Stream.id)
        .correlate(Stream)
        .scalar_subquery()
    )
    last_said = (
        select(TranscriptSegment.created_at)
        .where(TranscriptSegment.stream_id == Stream.id, TranscriptSegment.start_time == newest)
        .correlate(Stream)
        .limit(1)
        .scalar_subquery()
    )
    q = select(Stream.id).where(Stream.user_id == user_id, last_said >= since)
    return list(session.scalars(q))


def moments_of(session: Session, stream_id: int) -> list[tuple[float, float]]:
    """The stream's detected moments: the ranges of its automatic clips."""
    q = (
        select(ClipRange.start, ClipRange.end)
        .join(Clip)
        .where(Clip.stream_id == stream_id, Clip.source == "auto", ClipRange.stream_id.is_(None))
    )
    return [(s, e) for s, e in session.execute(q)]


def memory_cue_times(session: Session, stream_id: int) -> list[float]:
    """Where the stream's clips made from memory have their cue (so one is made once)."""
    q = select(Clip.signals).where(Clip.stream_id == stream_id, Clip.source == "auto")
    out = []
    for signals in session.scalars(q):
        memory = (signals or {}).get("memory")
        if isinstance(memory, dict) and "cue_time" in memory:
            out.append(float(memory["cue_time"]))
    return out


def _row(r: Any) -> Chunk:
    return Chunk(r.id, r.stream_id, r.created_at, list(r.words or []))
