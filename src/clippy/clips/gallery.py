"""The clip gallery query: filters, title + transcript search, sort, pagination.

Transcript search reuses the full-text indexes of ``transcripts`` (SQLite FTS5, PostgreSQL
tsvector): a clip matches when a transcript chunk containing every query word overlaps one
of the clip's ranges.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    UnaryExpression,
    and_,
    exists,
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
# Server transcripts are one chunk per segment (10 s by default); a chunk overlapping a clip
# therefore starts at most this long before the clip range. The bound turns the overlap test
# into an index range scan on (stream_id, start_time) instead of a scan from time zero.
_MAX_CHUNK_SECONDS = 120.0


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


def _transcript_match(dialect: str, terms: list[str]) -> ColumnElement[bool]:
    t = TranscriptSegment
    r = ClipRange
    if dialect == "sqlite":
        # Quoted terms: FTS5 syntax typed by a user is taken literally; adjacent terms AND.
        fts_q = " ".join('"' + term.replace('"', '""') + '"' for term in terms)
        matched: Select[Any] = (
            select(literal_column("rowid"))
            .select_from(text("transcript_fts"))
            .where(text("transcript_fts MATCH :fts_q").bindparams(fts_q=fts_q))
        )
        words_match: ColumnElement[bool] = t.id.in_(matched)
    else:
        # The config is rendered inline ('english', not a bind parameter) so the expression
        # is the one the GIN index of migration 0002 was built on and the planner can use it.
        english: ColumnElement[str] = literal_column("'english'")
        words_match = func.to_tsvector(english, t.text).bool_op("@@")(
            func.plainto_tsquery(english, " ".join(terms))
        )
    overlap = (
        select(1)
        .select_from(r)
        .join(t, t.stream_id == Clip.stream_id)
        .where(
            r.clip_id == Clip.id,
            t.start_time < r.end,
            t.start_time > r.start - _MAX_CHUNK_SECONDS,
            t.end_time > r.start,
            words_match,
        )
    )
    return exists(overlap)


def _conditions(
    session: Session, user_ids: Iterable[int], gq: GalleryQuery
) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [Clip.user_id.in_(list(user_ids))]
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
        dialect = session.get_bind().dialect.name
        like = "%" + gq.q.strip().lower().replace("\\", "\\\\").replace("%", "\\%") + "%"
        title_match = func.lower(Clip.title).like(like, escape="\\")
        conds.append(or_(title_match, _transcript_match(dialect, terms)))
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
