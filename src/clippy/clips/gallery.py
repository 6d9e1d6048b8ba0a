"""The clip gallery query: filters, title + transcript search, sort, pagination.

Transcript search reuses the full-text indexes of ``transcripts`` (SQLite FTS5, PostgreSQL
tsvector): a clip matches when a transcript chunk containing every query word overlaps one
of the clip's ranges.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    UnaryExpression,
    and_,
    bindparam,
    func,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session, selectinload

from clippy.db.models import Clip, ClipRange, Stream, TranscriptSegment
from clippy.transcripts.search import query_terms

__all__ = ["SORTS", "GalleryPage", "GalleryQuery", "gallery_page"]

SORTS: dict[str, tuple[UnaryExpression[Any], ...]] = {
    "new": (Clip.created_at.desc(), Clip.id.desc()),
    "old": (Clip.created_at.asc(), Clip.id.asc()),
    "score": (Clip.score.desc(), Clip.id.desc()),
    "long": (Clip.duration.desc(), Clip.id.desc()),
}


@dataclass(frozen=True)
class GalleryQuery:
    """What the gallery shows: search text, filters, sort and page (1-based)."""

    q: str = ""
    stream_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    min_score: float | None = None
    status: str = ""
    sort: str = "new"
    page: int = 1
    per_page: int = 24


@dataclass
class GalleryPage:
    """One page of clips plus what the pager needs."""

    clips: list[Clip]
    total: int
    page: int
    per_page: int
    stream_titles: dict[int, str] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, -(-self.total // self.per_page))


def _words_match(dialect: str, terms: list[str]) -> ColumnElement[bool]:
    t = TranscriptSegment
    if dialect == "sqlite":
        # Quoted terms: FTS5 syntax typed by a user is taken literally; adjacent terms AND.
        fts_q = " ".join('"' + term.replace('"', '""') + '"' for term in terms)
        matched: Select[Any] = (
            select(literal_column("rowid"))
            .select_from(text("transcript_fts"))
            .where(text("transcript_fts MATCH :fts_q").bindparams(fts_q=fts_q))
        )
        return t.id.in_(matched)
    # The config is rendered inline ('english', not a bind parameter) so the expression is
    # the one the GIN index of migration 0002 was built on and the planner can use it.
    english: ColumnElement[str] = literal_column("'english'")
    return func.to_tsvector(english, t.text).bool_op("@@")(
        func.plainto_tsquery(english, " ".join(terms))
    )


def _transcript_clip_ids(
    session: Session,
    user_ids: list[int],
    filters: list[ColumnElement[bool]],
    terms: list[str],
    stream_id: int | None = None,
) -> set[int]:
    """Ids of the filtered clips whose ranges overlap a transcript chunk with every term.

    Two index-driven reads and an interval test in Python: the matching chunks (full-text
    index), then the clips' ranges. Testing each clip against the transcript in SQL (an
    EXISTS per clip) costs index probes for every clip even when nothing matches: with
    10 000 clips it measured 295 ms median for a rare word and 334 ms for no match, against
    154 ms and 38 ms this way (SQLite, same busy machine; benchmarks/dashboard_bench.py).
    """
    t = TranscriptSegment
    chunks_q = (
        select(t.stream_id, t.start_time, t.end_time)
        .join(Stream, Stream.id == t.stream_id)
        .where(Stream.user_id.in_(user_ids), _words_match(session.get_bind().dialect.name, terms))
    )
    if stream_id is not None:
        chunks_q = chunks_q.where(t.stream_id == stream_id)
    chunks: dict[int, list[tuple[float, float]]] = {}
    for sid, start, end in session.execute(chunks_q):
        chunks.setdefault(sid, []).append((start, end))
    if not chunks:
        return set()
    # Per stream: chunk starts in order and the running maximum of their ends. A range
    # [a, b) overlaps a chunk iff some chunk starting before b ends after a, i.e. iff the
    # running maximum end over the chunks starting before b exceeds a.
    index: dict[int, tuple[list[float], list[float]]] = {}
    for sid, spans in chunks.items():
        spans.sort()
        starts = [s for s, _ in spans]
        max_end: list[float] = []
        top = float("-inf")
        for _, e in spans:
            top = max(top, e)
            max_end.append(top)
        index[sid] = (starts, max_end)
    ranges_q = (
        select(ClipRange.clip_id, Clip.stream_id, ClipRange.start, ClipRange.end)
        .join(Clip, Clip.id == ClipRange.clip_id)
        .where(Clip.stream_id.in_(list(index)), *filters)
    )
    found: set[int] = set()
    for clip_id, sid, a, b in session.execute(ranges_q):
        starts, max_end = index[sid]
        k = bisect_left(starts, b)
        if k and max_end[k - 1] > a:
            found.add(clip_id)
    return found


def _conditions(
    session: Session, user_ids: list[int], gq: GalleryQuery
) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [Clip.user_id.in_(user_ids)]
    if gq.stream_id is not None:
        conds.append(Clip.stream_id == gq.stream_id)
    if gq.date_from is not None:
        conds.append(Clip.created_at >= datetime.combine(gq.date_from, time(), UTC))
    if gq.date_to is not None:
        end = datetime.combine(gq.date_to + timedelta(days=1), time(), UTC)
        conds.append(Clip.created_at < end)
    if gq.min_score is not None:
        conds.append(Clip.score >= gq.min_score)
    if gq.status:
        conds.append(Clip.status == gq.status)
    terms = query_terms(gq.q)
    if terms:
        like = (
            "%"
            + gq.q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            + "%"
        )
        title_match = func.lower(Clip.title).like(like, escape="\\")
        said = _transcript_clip_ids(session, user_ids, list(conds), terms, gq.stream_id)
        if said:
            # Inlined integers: a search may match thousands of clips, more than the bound
            # parameters a statement may carry.
            ids: BindParameter[list[int]] = bindparam(
                "said_ids", sorted(said), expanding=True, literal_execute=True
            )
            conds.append(or_(title_match, Clip.id.in_(ids)))
        else:
            conds.append(title_match)
    return conds


def gallery_page(session: Session, user_ids: Iterable[int], gq: GalleryQuery) -> GalleryPage:
    """The clips of ``user_ids`` matching ``gq``, one page of them, with the total count."""
    ids = list(user_ids)
    where = and_(*_conditions(session, ids, gq))
    total = session.scalar(select(func.count()).select_from(Clip).where(where)) or 0
    page = max(1, gq.page)
    q = (
        select(Clip)
        .options(selectinload(Clip.ranges))
        .where(where)
        .order_by(*SORTS.get(gq.sort, SORTS["new"]))
        .limit(gq.per_page)
        .offset((page - 1) * gq.per_page)
    )
    clips = list(session.scalars(q))
    stream_ids = {c.stream_id for c in clips}
    titles = dict(
        session.execute(select(Stream.id, Stream.title).where(Stream.id.in_(stream_ids)))
        .tuples()
        .all()
    )
    return GalleryPage(clips, total, page, gq.per_page, titles)
