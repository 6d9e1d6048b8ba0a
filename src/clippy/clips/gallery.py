"""The clip gallery query: filters, title + tag + transcript search, sort, pagination.

Transcript search uses the clip's own spoken text (``Clip.transcript_text``, set when the
clip is rendered) and its full-text index (SQLite FTS5, PostgreSQL tsvector): a clip matches
when the words spoken inside its ranges hold every query word. Searching the whole
transcript and testing overlaps instead read every matching chunk: a common word took
~600 ms median with 10 000 clips and 48 h of transcripts (benchmarks/dashboard_bench.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    UnaryExpression,
    and_,
    func,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session, selectinload

from clippy.db import Clip, ClipTag, Stream
from clippy.transcribe import query_terms

__all__ = ["SORTS", "ExportedFilter", "GalleryPage", "GalleryQuery", "gallery_page"]

# (dialect, user ids, preset) -> a subquery of the ids of clips exported to that preset.
# Passed in by the caller (``export.history.exported_clip_ids``): exports sit above clips.
ExportedFilter = Callable[[str, Iterable[int], str], Select[Any]]

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
    exported: str = ""  # a preset name: only clips with a finished export to it
    tag: str = ""  # only clips carrying this tag
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


def _spoken(dialect: str, terms: list[str]) -> ColumnElement[bool]:
    """Clips whose own transcript text holds every term (full-text indexed: FTS5 or tsvector)."""
    if dialect == "sqlite":
        # Quoted terms: FTS5 syntax typed by a user is taken literally; adjacent terms AND.
        fts_q = " ".join('"' + term.replace('"', '""') + '"' for term in terms)
        matched: Select[Any] = (
            select(literal_column("rowid"))
            .select_from(text("clip_fts"))
            .where(text("clip_fts MATCH :fts_q").bindparams(fts_q=fts_q))
        )
        return Clip.id.in_(matched)
    # A stored tsvector column (migration 0006): the GIN index, or a cheap scan of it.
    english: ColumnElement[str] = literal_column("'english'")
    match = literal_column("clips.transcript_tsv").bool_op("@@")(
        func.plainto_tsquery(english, " ".join(terms))
    )
    # A subquery, as on SQLite: ORed inline with the title LIKE, the planner scans every clip
    # instead of using the index.
    return Clip.id.in_(select(Clip.id).where(match))


def _conditions(
    session: Session, user_ids: list[int], gq: GalleryQuery, exported: ExportedFilter | None
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
    if gq.exported and exported is not None:
        dialect = session.get_bind().dialect.name
        conds.append(Clip.id.in_(exported(dialect, user_ids, gq.exported)))
    if gq.tag:
        conds.append(Clip.id.in_(select(ClipTag.clip_id).where(ClipTag.tag == gq.tag)))
    terms = query_terms(gq.q)
    if terms:
        like = (
            "%"
            + gq.q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            + "%"
        )
        title_match = func.lower(Clip.title).like(like, escape="\\")
        # Typing a tag finds the clips carrying it, as clicking the tag does.
        tagged = Clip.id.in_(
            select(ClipTag.clip_id).where(ClipTag.tag == " ".join(gq.q.lower().split()))
        )
        conds.append(or_(title_match, tagged, _spoken(session.get_bind().dialect.name, terms)))
    return conds


def gallery_page(
    session: Session,
    user_ids: Iterable[int],
    gq: GalleryQuery,
    exported: ExportedFilter | None = None,
) -> GalleryPage:
    """The clips of ``user_ids`` matching ``gq``, one page of them, with the total count
    (``gq.exported`` filters only when ``exported`` says which clips were exported)."""
    ids = list(user_ids)
    where = and_(*_conditions(session, ids, gq, exported))
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
