"""What each page shows, read through the journal modules: plain values for the
templates and the JSON API. Nothing here knows about HTTP.

Article and diff pages cost one path-limited `git log` and a blob read or two;
lists come from the state database and from `git log` streams stopped early.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar, cast
from urllib.parse import urlsplit

from journal import changefeed, links, searchindex
from journal.archive import Archive
from journal.diff import Diff
from journal.errors import UnknownArticle, UnknownVersion
from journal.history import Entry, Reader, later
from journal.models import ArticleText, Change, Revision
from journal.sources import settings
from journal.state import ArticleRow, State

log = logging.getLogger(__name__)

PER_PAGE = 25
_REMEMBERED = 256  # list pages kept per state of the archive
READERS = min(4, (os.cpu_count() or 1) + 1)  # requests that read at once
T = TypeVar("T")


class NotFound(Exception):
    """Nothing at this address: an unknown article, version or source."""


class _RequestReader(Reader):
    """A Reader for one request: an article's `git log` runs once, however often the
    page asks for its revisions (Reader.diff asks again)."""

    def __init__(self, archive: Archive, state: State):
        super().__init__(archive, state)
        self._revisions: dict[str, list[Revision]] = {}

    def revisions(self, row: ArticleRow) -> list[Revision]:
        assert row.path is not None
        if row.path not in self._revisions:
            self._revisions[row.path] = super().revisions(row)
        return self._revisions[row.path]


class Library:
    """One archive opened for the web: a few readers, each with its own git processes
    and SQLite connection, lent to one request at a time.

    GitPython's long-lived `git cat-file` processes and a SQLite connection must not be
    used by two threads at once; with a reader each, requests read side by side (a page's
    `git log` runs in a process of its own, so two readers keep two cores busy).
    """

    def __init__(
        self, archive: Archive, state: State, clock: Callable[[], float] = time.time, readers: int = READERS
    ):
        self.clock = clock
        self._pairs = [(archive, state)] + [
            (Archive.open(archive.root), State.open(archive.state_dir, check=False))
            for _ in range(readers - 1)
        ]
        self._idle: queue.SimpleQueue[tuple[Archive, State]] = queue.SimpleQueue()
        for pair in self._pairs:
            self._idle.put(pair)
        self._lock = threading.Lock()
        self._search = threading.Lock()
        self.index = searchindex.current(archive, lambda message: log.info("%s", message))
        self._remembered: dict[tuple[object, ...], object] = {}
        self._remembered_at: str | None = None

    def searching(self) -> threading.Lock:
        """Held around a search: the search index's one connection answers one at a time
        (a few milliseconds each), and catches up with git once after a pull."""
        return self._search

    @contextmanager
    def reading(self) -> Iterator[Reader]:
        pair = self._idle.get()
        try:
            yield _RequestReader(*pair)
        finally:
            self._idle.put(pair)

    def remember(self, reader: Reader, key: tuple[object, ...], make: Callable[[], T]) -> T:
        """`make()`, kept until a new version is recorded: for the lists of the front and
        source pages, which only a commit can change. The key includes the state's head,
        which the updater moves in the same transaction as the rows. Call inside `reading()`."""
        head = reader.state.meta("head")
        with self._lock:
            if head != self._remembered_at or len(self._remembered) >= _REMEMBERED:
                self._remembered.clear()
                self._remembered_at = head
            if key in self._remembered:
                return cast(T, self._remembered[key])
        made = make()
        with self._lock:
            if self._remembered_at == head:
                self._remembered[key] = made
        return made

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def close(self) -> None:
        self.index.close()
        for n, (archive, state) in enumerate(self._pairs):
            state.close()
            if n:  # the first archive is the caller's
                archive.repo.close()


def stamp(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def web_href(url: str | None) -> str | None:
    """`url` when it is safe to link (http or https), else None: never a javascript: link."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def article(reader: Reader, sid: str) -> ArticleRow:
    try:
        row = reader.resolve(sid)
    except UnknownArticle as exc:
        raise NotFound(f"There is no article with the id {sid!r} in this archive.") from exc
    return row


# -- the article page -------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryLine:
    """One line of an article's history: a version, or an event (removed, re-extracted)."""

    entry: Entry
    href: str | None  # the diff with the version before, or the version itself

    @property
    def revision(self) -> Revision:
        return self.entry.revision

    @property
    def kind(self) -> str:
        return self.entry.change.value

    @property
    def gap(self) -> str | None:
        return later(self.entry.gap) if self.entry.gap is not None else None

    @property
    def summary(self) -> str:
        rev = self.revision
        if rev.change is Change.REEXTRACT:
            if self.entry.new_extractor:
                return "re-extracted by a newer extractor; not a change to the article"
            return "re-read: the page's layout changed, not the article; not a change to the article"
        if rev.change is Change.REMOVED:
            return rev.summary or "taken down by its site"
        return rev.summary or ("first version" if rev.change is Change.NEW else "changed")


@dataclass(frozen=True)
class ArticlePage:
    row: ArticleRow
    title: str
    href: str | None  # the original, when it is an http(s) URL
    url: str
    first: datetime | str  # the published date when known, else first seen
    last_changed: datetime | None
    next_check: datetime | None
    retired: bool
    removed: bool
    versions: int
    numbers: tuple[int, ...]
    lines: tuple[HistoryLine, ...]
    text: ArticleText
    latest: Revision

    @property
    def changes(self) -> int:
        return max(self.versions - 1, 0)


def article_page(reader: Reader, sid: str) -> ArticlePage:
    row = article(reader, sid)
    revisions = reader.revisions(row)
    try:
        text, latest = reader.text(row, revisions=revisions)
    except UnknownVersion as exc:
        raise NotFound(f"The article {sid} has no readable version yet.") from exc
    numbers = reader.version_numbers(revisions)
    shown = [r for r in revisions if r.change is not Change.REEXTRACT]
    lines = tuple(HistoryLine(e, _line_href(row, e, numbers)) for e in reader.entries(row, revisions))
    return ArticlePage(
        row=row,
        title=text.title or row.title,
        href=web_href(text.url or row.url),
        url=text.url or row.url,
        first=published(text.published) or stamp(row.first_seen) or latest.time,
        last_changed=shown[-1].time if shown else stamp(row.last_changed),
        next_check=stamp(row.next_check),
        retired=row.next_check is None,
        removed=bool(shown and shown[-1].change is Change.REMOVED),
        versions=len(numbers),
        numbers=tuple(numbers),
        lines=lines,
        text=text,
        latest=latest,
    )


def _line_href(row: ArticleRow, entry: Entry, numbers: list[int]) -> str | None:
    sid = row.sid or ""
    if entry.change is Change.REMOVED:
        return None
    earlier = [n for n in numbers if n < entry.version]
    if entry.change in (Change.EDIT, Change.RESTORED) and earlier:
        return links.diff("", sid, earlier[-1], entry.version)
    return links.version("", sid, entry.version)


def published(value: str | None) -> datetime | str | None:
    """The `published` front matter as a time; as written when it does not parse."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# -- one version, and the diff between two ---------------------------------------------------


@dataclass(frozen=True)
class VersionPage:
    row: ArticleRow
    number: int
    numbers: tuple[int, ...]
    text: ArticleText
    revision: Revision
    href: str | None

    @property
    def previous(self) -> int | None:
        earlier = [n for n in self.numbers if n < self.number]
        return earlier[-1] if earlier else None

    @property
    def next(self) -> int | None:
        later_ = [n for n in self.numbers if n > self.number]
        return later_[0] if later_ else None


def version_page(reader: Reader, sid: str, number: int) -> VersionPage:
    row = article(reader, sid)
    revisions = reader.revisions(row)
    try:
        text, revision = reader.text(row, number, revisions=revisions)
    except UnknownVersion as exc:
        raise NotFound(f"The article {row.sid} has no version {number}.") from exc
    numbers = tuple(reader.version_numbers(revisions))
    return VersionPage(row, number, numbers, text, revision, web_href(text.url or row.url))


@dataclass(frozen=True)
class DiffPage:
    row: ArticleRow
    delta: Diff
    old: Revision
    new: Revision
    numbers: tuple[int, ...]
    title: str

    @property
    def gap(self) -> str | None:
        seconds = (self.new.time - self.old.time).total_seconds()
        return later(seconds) if seconds > 0 else None

    @property
    def previous(self) -> tuple[int, int] | None:
        """The change before this one: the version before `old`, and `old`."""
        low = min(self.old.version, self.new.version)
        earlier = [n for n in self.numbers if n < low]
        return (earlier[-1], low) if earlier else None

    @property
    def following(self) -> tuple[int, int] | None:
        high = max(self.old.version, self.new.version)
        after = [n for n in self.numbers if n > high]
        return (high, after[0]) if after else None


def diff_page(reader: Reader, sid: str, a: int, b: int) -> DiffPage:
    row = article(reader, sid)
    numbers = tuple(reader.version_numbers(reader.revisions(row)))
    missing = [n for n in (a, b) if n not in numbers]
    if missing:
        raise NotFound(f"The article {row.sid} has no version {missing[0]}.")
    try:
        delta, old, new = reader.diff(row, a, b)
    except UnknownVersion as exc:
        raise NotFound(str(exc)) from exc
    return DiffPage(row, delta, old, new, numbers, new.title or row.title)


# -- lists ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Changes:
    """A page of recent changes, newest first."""

    items: tuple[changefeed.Item, ...]
    page: int
    per_page: int

    @property
    def more(self) -> bool:
        return len(self.items) >= self.per_page


def changes(reader: Reader, page: int, source: str | None = None, per_page: int = PER_PAGE) -> Changes:
    scope = changefeed.Scope(source=source)
    found = changefeed.items(reader, scope, "", limit=per_page, skip=(page - 1) * per_page)
    return Changes(tuple(found), page, per_page)


@dataclass(frozen=True)
class SourceLine:
    name: str
    articles: int
    versions: int


def sources(reader: Reader) -> list[SourceLine]:
    """Every source with its counts, in one pass over the state (sources named in
    journal.toml that have no article yet included)."""
    rows = reader.state.db.execute(
        "SELECT source, COUNT(path), COALESCE(SUM(versions), 0) FROM articles GROUP BY source"
    ).fetchall()
    counts = {str(name): (int(articles), int(versions)) for name, articles, versions in rows}
    for source in settings(reader.archive).sources:
        counts.setdefault(source.name, (0, 0))
    return [SourceLine(name, *counts[name]) for name in sorted(counts)]


def known_source(reader: Reader, name: str) -> str:
    if name in reader.state.sources_in_use() or settings(reader.archive).source(name) is not None:
        return name
    raise NotFound(f"There is no source named {name!r} in this archive.")


def page_count(total: int, per_page: int) -> int:
    """How many pages `total` items fill, `per_page` a page (at least one, even when empty)."""
    return max((total + per_page - 1) // per_page, 1)


@dataclass(frozen=True)
class Articles:
    """A page of an article list."""

    rows: tuple[ArticleRow, ...]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)


def articles(reader: Reader, page: int, *, source: str | None = None, per_page: int = PER_PAGE) -> Articles:
    """A page of articles, most recently changed first."""
    rows = reader.state.listing(source=source, limit=per_page, offset=(page - 1) * per_page)
    total = reader.state.count(source)["articles"]
    return Articles(tuple(rows), page, per_page, total)


def most_edited(reader: Reader, count: int = 10) -> list[ArticleRow]:
    return reader.state.listing(order="versions DESC, last_changed DESC", limit=count)
