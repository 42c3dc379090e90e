"""Searching the index (journal.searchindex): a parsed query and its filters in, a page
of versions out, newest first, each with the article, its diff link and the matching
words marked in snippets. Reads only the index file: git is read when a reader follows
a result's link, never to answer a search.

What each kind of search looks at (a version's lines are those it added or removed
against the version before; see journal.searchindex):

    (none)       what versions wrote or took out, and what articles say now
    --added      what a version wrote: its title and added lines, where the words were
                 not already in what it took out (a paragraph edited around a word did
                 not add that word)
    --removed    what a version took out, where its new lines do not hold the words again
    --title      titles instead of lines: the title a version gave (with --removed: the
                 one it replaced)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from journal import commits, links, searchindex
from journal.archive import Archive
from journal.errors import BadQuery
from journal.models import Change
from journal.query import GAP, Query, parse
from journal.searchindex import SHIFT, SearchIndex, kind_tag, row_id, source_tag
from journal.urls import article_id

SIZES = ("typo", "minor", "major")
MARK, END = "\x02", "\x03"  # around each matching word in a snippet's text
MAX_PAGES = 40  # a query is refined, not paged through: results past these are not shown
_TOKENS = 24  # words in a snippet
FieldName = Literal["title", "added", "old title", "removed", "title now", "text now"]
# The text columns of the index's `changes` table, in order.
_COLUMNS: tuple[FieldName, ...] = ("title", "added", "old title", "removed", "title now", "text now")


@dataclass(frozen=True)
class Filters:
    """What narrows a search besides its words."""

    source: str | None = None
    since: float | None = None  # UNIX seconds, inclusive
    until: float | None = None  # UNIX seconds, exclusive
    added: bool = False
    removed: bool = False
    title: bool = False
    min_size: str | None = None  # leave out smaller edits: minor or major (or typo: all)

    @property
    def everything(self) -> bool:
        """No kind given: versions and current texts alike."""
        return not (self.added or self.removed or self.title)


def filters(
    *,
    source: str | None = None,
    since: str | None = None,
    until: str | None = None,
    added: bool = False,
    removed: bool = False,
    title: bool = False,
    min_size: str | None = None,
) -> Filters:
    """Filters as a person gives them: dates as YYYY-MM-DD (a whole day, UTC) or an ISO
    time; `until` includes its day."""
    if min_size is not None and min_size not in SIZES:
        raise BadQuery(f"The size must be one of {', '.join(SIZES)}, not {min_size[:40]!r}.")
    return Filters(
        source=source or None,
        since=_moment(since, "since", end=False),
        until=_moment(until, "until", end=True),
        added=added,
        removed=removed,
        title=title,
        min_size=min_size or None,
    )


def _moment(text: str | None, name: str, end: bool) -> float | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise BadQuery(f"{name} {text[:40]!r} is not a date; use YYYY-MM-DD.") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if end and len(text.strip()) == 10:
        moment += timedelta(days=1)  # until a day: to its end
    return moment.timestamp()


@dataclass(frozen=True)
class Snippet:
    """Where a hit matched: a field (title, added, old title, removed, text) and a piece
    of it with each matching word between MARK and END."""

    field: FieldName
    text: str

    def parts(self) -> list[tuple[str, bool]]:
        """The text in pieces, each marked or not."""
        out = []
        for n, piece in enumerate(self.text.replace(END, MARK).split(MARK)):
            if piece:
                out.append((piece, n % 2 == 1))
        return out

    def plain(self) -> str:
        return self.text.replace(MARK, "").replace(END, "")

    def marks(self) -> list[tuple[int, int]]:
        """[start, end) of each marked piece in plain()."""
        spans, at = [], 0
        for piece, marked in self.parts():
            if marked:
                spans.append((at, at + len(piece)))
            at += len(piece)
        return spans


@dataclass(frozen=True)
class Hit:
    """One version that matches."""

    sid: str
    path: str
    source: str
    title: str  # the article's current title
    version: int
    previous: int | None  # the version it is compared with
    change: Change
    size: str | None
    time: datetime
    commit: str
    taken_down: bool  # the article's site has since removed it
    snippets: tuple[Snippet, ...]

    @property
    def href(self) -> str:
        """The diff with the version before, or the version itself for a first version."""
        if self.previous is not None:
            return links.diff("", self.sid, self.previous, self.version)
        return links.version("", self.sid, self.version)


@dataclass(frozen=True)
class Results:
    query: Query
    filters: Filters
    hits: tuple[Hit, ...]
    page: int
    per_page: int
    more: bool  # another page follows

    @property
    def total(self) -> int | None:
        """How many versions match, when this page reaches the end; else unknown."""
        return None if self.more else (self.page - 1) * self.per_page + len(self.hits)

    def as_json(self) -> dict[str, Any]:
        return {
            "query": str(self.query),
            "page": self.page,
            "per_page": self.per_page,
            "more": self.more,
            "total": self.total,
            "hits": [
                {
                    "id": hit.sid,
                    "source": hit.source,
                    "title": hit.title,
                    "path": hit.path,
                    "version": hit.version,
                    "previous": hit.previous,
                    "change": hit.change.value,
                    "size": hit.size,
                    "time": commits.iso(hit.time),
                    "commit": hit.commit,
                    "taken_down": hit.taken_down,
                    "html": hit.href,
                    "snippets": [
                        {"field": s.field, "text": s.plain(), "marks": [list(m) for m in s.marks()]}
                        for s in hit.snippets
                    ],
                }
                for hit in self.hits
            ],
        }


def find(
    archive: Archive, text: str, filters: Filters, page: int, per_page: int, note: Callable[[str], None]
) -> Results:
    """`journal search`: the query is read first (a bad one costs nothing), then the
    index, caught up with git, answers it."""
    parsed = parse(text)
    index = searchindex.current(archive, note)
    try:
        try:
            return search(index, parsed, filters, page, per_page)
        except sqlite3.DatabaseError as exc:
            if not searchindex.damaged(exc):
                raise
            index = index.renewed(exc, note)  # damage deep in the file, met by this query
            searchindex.refresh(index, archive, note)
            return search(index, parsed, filters, page, per_page)
    finally:
        index.close()


def search(index: SearchIndex, query: Query, filters: Filters, page: int = 1, per_page: int = 25) -> Results:
    """Versions matching `query` within `filters`, newest first, one page of them: one
    walk of the index, newest first, that stops one row past the page and marks the
    words of the rows it returns only."""
    if filters.source is not None and not index.has_source(filters.source):
        raise BadQuery(
            f'No version in this archive comes from a source named "{filters.source[:40]}"; '
            '"journal source list" names the sources.'
        )
    if page > MAX_PAGES:
        raise BadQuery(f"Results stop at page {MAX_PAGES}; narrow the search with more words or filters.")
    shown = [(n, field) for n, field in enumerate(_COLUMNS) if field in _fields(filters)]
    snippets = "".join(f", snippet(changes, {n}, '{MARK}', '{END}', '…', {_TOKENS})" for n, _ in shown)
    rows = index.db.execute(
        f"SELECT rowid{snippets} FROM changes WHERE changes MATCH ? AND rowid >= ? AND rowid < ? "
        "ORDER BY rowid DESC LIMIT ? OFFSET ?",
        (
            _expression(query, filters),
            row_id(filters.since) if filters.since is not None else 0,
            row_id(filters.until) if filters.until is not None else 1 << 62,
            per_page + 1,
            (page - 1) * per_page,
        ),
    ).fetchall()
    hits = tuple(
        _hit(
            index,
            int(row[0]),
            [
                Snippet(field, _shown(text))
                for (_, field), text in zip(shown, row[1:], strict=True)
                if text and MARK in text
            ],
        )
        for row in rows[:per_page]
    )
    return Results(query, filters, hits, page, per_page, len(rows) > per_page)


def _expression(query: Query, filters: Filters) -> str:
    q = query.expression()
    if filters.everything:
        expression = f"{{title added old_title removed title_now text_now}} : {q}"
    else:
        new, old = ("title", "old_title") if filters.title else ("title added", "old_title removed")
        sides = []
        if filters.added or not filters.removed:
            sides.append(f"(({{{new}}} : {q}) NOT ({{{old}}} : {q}))")
        if filters.removed:
            sides.append(f"(({{{old}}} : {q}) NOT ({{{new}}} : {q}))")
        expression = " OR ".join(sides)
    expression = f"({expression})"
    if filters.source is not None:
        expression += f' AND {{tags}} : "{source_tag(filters.source)}"'
    if filters.min_size is not None:
        kinds = [*SIZES[SIZES.index(filters.min_size) :], kind_tag("new", None), kind_tag("restored", None)]
        expression += " AND {tags} : (" + " OR ".join(f'"{k}"' for k in kinds) + ")"
    return expression


def _fields(filters: Filters) -> frozenset[FieldName]:
    """The fields whose snippets a search shows: those it looked at."""
    if filters.everything:
        return frozenset(_COLUMNS)
    new: list[FieldName] = ["title"] if filters.title else ["title", "added"]
    old: list[FieldName] = ["old title"] if filters.title else ["old title", "removed"]
    return frozenset(
        [*(new if filters.added or not filters.removed else []), *(old if filters.removed else [])]
    )


def _hit(index: SearchIndex, vid: int, snippets: list[Snippet]) -> Hit:
    row = index.db.execute(
        "SELECT v.version, v.previous, v.change, v.size, v.commit_id, a.path, a.source, a.title, a.removed "
        "FROM versions v JOIN articles a ON a.id = v.article WHERE v.id = ?",
        (vid,),
    ).fetchone()
    version, previous, change, size, commit, path, source, title, removed = row
    return Hit(
        sid=article_id(path),
        path=path,
        source=source,
        title=title,
        version=int(version),
        previous=None if previous is None else int(previous),
        change=Change(change),
        size=size,
        time=datetime.fromtimestamp(vid >> SHIFT, UTC),
        commit=commit,
        taken_down=bool(removed),
        snippets=tuple(snippets),
    )


def _shown(text: str) -> str:
    """A snippet for reading: the gaps that split spaceless scripts gone, neighbouring
    marked words marked as one, line breaks as pilcrows."""
    return text.replace(GAP, "").replace(END + MARK, "").replace("\n", " ¶ ")
