"""Full-text transcript search behind one function: SQLite FTS5 or PostgreSQL tsvector."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

_TOKEN = re.compile(r"[\w']+", re.UNICODE)


@dataclass(frozen=True)
class Hit:
    """One transcript chunk that matches, and the stream time of the first matching word."""

    stream_id: int
    stream_title: str
    transcript_id: int
    start_time: float
    end_time: float
    text: str
    match_time: float


def query_terms(query: str) -> list[str]:
    """The searchable words of a user query, lowercased (punctuation and operators dropped)."""
    return [t.lower().strip("'") for t in _TOKEN.findall(query) if t.strip("'")]


def search(
    session: Session,
    user_ids: Iterable[int],
    query: str,
    *,
    stream_id: int | None = None,
    limit: int = 50,
) -> list[Hit]:
    """Transcript chunks of ``user_ids``' streams containing every word of ``query``, best first."""
    terms = query_terms(query)
    ids = list(user_ids)
    if not terms or not ids:
        return []
    params: dict[str, Any] = {"limit": limit}
    id_marks = ", ".join(f":u{i}" for i in range(len(ids)))
    params.update({f"u{i}": uid for i, uid in enumerate(ids)})
    stream_clause = ""
    if stream_id is not None:
        stream_clause = " AND t.stream_id = :stream_id"
        params["stream_id"] = stream_id
    if session.get_bind().dialect.name == "sqlite":
        # Each term quoted so FTS5 syntax in user input is taken literally; adjacent terms AND.
        params["q"] = " ".join('"' + t.replace('"', '""') + '"' for t in terms)
        sql = (
            "SELECT t.id, t.stream_id, t.start_time, t.end_time, t.text, t.words, s.title "
            "FROM transcript_fts f JOIN transcript_segments t ON t.id = f.rowid "
            "JOIN streams s ON s.id = t.stream_id "
            f"WHERE transcript_fts MATCH :q AND s.user_id IN ({id_marks}){stream_clause} "
            "ORDER BY bm25(transcript_fts), t.start_time LIMIT :limit"
        )
    else:
        params["q"] = " ".join(terms)
        sql = (
            "SELECT t.id, t.stream_id, t.start_time, t.end_time, t.text, t.words, s.title "
            "FROM transcript_segments t JOIN streams s ON s.id = t.stream_id "
            # text_tsv: the stored to_tsvector of text (migration 0006), indexed with GIN.
            "WHERE t.text_tsv @@ plainto_tsquery('english', :q) "
            f"AND s.user_id IN ({id_marks}){stream_clause} "
            "ORDER BY ts_rank(t.text_tsv, plainto_tsquery('english', :q)) DESC,"
            " t.start_time LIMIT :limit"
        )
    hits = []
    for row in session.execute(text(sql), params):
        words = row.words if isinstance(row.words, list) else _json(row.words)
        hits.append(
            Hit(
                stream_id=row.stream_id,
                stream_title=row.title or "",
                transcript_id=row.id,
                start_time=row.start_time,
                end_time=row.end_time,
                text=row.text,
                match_time=match_time(words, terms, row.start_time),
            )
        )
    return hits


def match_time(words: list[dict[str, Any]], terms: list[str], default: float) -> float:
    """Start time of the first word where the query's words begin (stem-tolerant prefix match)."""
    norm = [str(w.get("text", "")).lower().strip(".,!?'\"") for w in words]
    first = terms[0]
    stem = first[: max(3, len(first) - 2)]
    for i, word in enumerate(norm):
        if word == first or (len(word) >= 3 and word.startswith(stem)):
            return float(words[i]["start"])
    return default


def _json(value: Any) -> list[dict[str, Any]]:
    import json

    return list(json.loads(value)) if isinstance(value, str) else []
