"""Local operational state in SQLite under .git/journal/: never part of history.

What is here (schedule, HTTP validators, aliases, errors) can be rebuilt from git
by `journal reindex`, except what only the updater can know (ETags, error counts),
which simply starts afresh.

Times are UNIX seconds (float, UTC).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from journal import disk
from journal.normalize import single_line

log = logging.getLogger(__name__)

SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY,
    sid TEXT UNIQUE,                -- short id shown to people: hash of path
    source TEXT NOT NULL,
    url TEXT NOT NULL,              -- the URL fetched: canonical, latest known
    path TEXT UNIQUE,               -- NULL until the first version is committed
    title TEXT NOT NULL DEFAULT '',
    discovered REAL NOT NULL,
    first_seen REAL,                -- time of version 1
    last_changed REAL,              -- time of the latest version or event
    last_checked REAL,
    versions INTEGER NOT NULL DEFAULT 0,
    fingerprint TEXT,               -- of the latest version's text
    removed INTEGER NOT NULL DEFAULT 0,
    wait REAL,                      -- seconds until the check after next_check
    next_check REAL,                -- NULL: retired, never checked again
    failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    etag TEXT,
    last_modified TEXT,
    body_hash TEXT,                 -- sha256 of the last raw body fetched
    validated INTEGER NOT NULL DEFAULT 0, -- last check succeeded: a 304 can be trusted
    headline INTEGER NOT NULL DEFAULT 0,  -- the page named its headline in metadata
    extractor TEXT,                       -- Extractor trailer of the latest version
    last_commit TEXT                      -- the latest commit that touched the file
);
CREATE INDEX IF NOT EXISTS articles_due ON articles (source, next_check);
CREATE INDEX IF NOT EXISTS articles_changed ON articles (last_changed);
CREATE TABLE IF NOT EXISTS aliases (
    key TEXT PRIMARY KEY,           -- a canonical URL, or "guid <source> <guid>"
    article INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS aliases_article ON aliases (article);
CREATE TABLE IF NOT EXISTS texts (
    article INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL,
    times INTEGER NOT NULL DEFAULT 1,  -- versions committed with this text
    last REAL,  -- when the latest of them was committed
    PRIMARY KEY (article, fingerprint)
);
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    body_hash TEXT,
    next_poll REAL,
    failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    last_polled REAL,
    maps TEXT                       -- a sitemap index: the maps it lists that are read, one a line
);
CREATE TABLE IF NOT EXISTS robots (
    host TEXT PRIMARY KEY,
    body TEXT,
    status INTEGER,
    fetched REAL
);
"""


# Columns added after the first schema, for files written by older versions.
_COLUMN_DDL = {
    "articles": {
        "headline": "INTEGER NOT NULL DEFAULT 0",
        "extractor": "TEXT",
        "last_commit": "TEXT",
    },
    "feeds": {"maps": "TEXT"},
    "texts": {"last": "REAL"},
}


@dataclass
class ArticleRow:
    """One row of `articles`; mutable so the updater can fill it in, then save it."""

    id: int
    sid: str | None
    source: str
    url: str
    path: str | None
    title: str
    discovered: float
    first_seen: float | None
    last_changed: float | None
    last_checked: float | None
    versions: int
    fingerprint: str | None
    removed: int
    wait: float | None
    next_check: float | None
    failures: int
    last_error: str | None
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    validated: int
    headline: int
    extractor: str | None
    last_commit: str | None

    @property
    def retired(self) -> bool:
        return self.next_check is None


@dataclass
class FeedRow:
    url: str
    source: str
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    next_poll: float | None
    failures: int
    last_error: str | None
    last_polled: float | None
    maps: str | None = None  # a sitemap index's maps read at each poll, one a line


_ARTICLE_COLUMNS = [f.name for f in fields(ArticleRow)]
_FEED_COLUMNS = [f.name for f in fields(FeedRow)]


class _Damaged(sqlite3.DatabaseError):
    """SQLite's quick_check found the state database damaged."""


# SQLITE_CORRUPT, SQLITE_NOTADB: what a damaged file gives before quick_check can run.
_DAMAGED = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}


class State:
    """The state database of one archive. One writer (the updater), many readers."""

    def __init__(self, path: Path, check: bool = True):
        self.path = path
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        self._batched = False
        try:
            self._prepare(check)
        except BaseException:
            self.db.close()
            raise

    def _prepare(self, check: bool) -> None:
        if check:
            found = [str(r[0]) for r in self.db.execute("PRAGMA quick_check(5)")]
            if found != ["ok"]:
                raise _Damaged("; ".join(found))
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript(_SCHEMA)
        self._add_missing_columns()
        if self.meta("schema") is None:
            self.set_meta("schema", SCHEMA_VERSION)

    def _add_missing_columns(self) -> None:
        """Bring a state file written by an older journal up to this schema."""
        for table, ddl in _COLUMN_DDL.items():
            have = {str(r[1]) for r in self.db.execute(f"PRAGMA table_info({table})")}
            for column, definition in ddl.items():
                if column not in have:
                    self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")

    @classmethod
    def exists(cls, state_dir: Path) -> bool:
        return (state_dir / "state.sqlite").exists()

    @classmethod
    def open(cls, state_dir: Path, note: Callable[[str], None] | None = None, check: bool = True) -> State:
        """The state database of an archive, made when missing. A damaged one (a torn
        or overwritten file: SQLite's own check fails) is moved aside, with a note, and
        an empty one takes its place, which the caller fills from git history as for a
        fresh clone. `check=False` skips the check (another connection made it)."""
        path = state_dir / "state.sqlite"
        try:
            return cls(path, check)
        except sqlite3.DatabaseError as exc:
            if not isinstance(exc, _Damaged) and exc.sqlite_errorcode not in _DAMAGED:
                raise
            reason = str(exc)
        aside = disk.move_aside(path)
        (note or log.warning)(
            f"The local state {path} was damaged ({single_line(reason, 200)}); moved it to {aside.name} "
            "and rebuilding it from git history (nothing in history is lost)."
        )
        return cls(path)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing, and durable at its end (in a batch too)."""
        if not self._batched:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
            return
        self.db.execute("SAVEPOINT step")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK TO step")
            self.db.execute("RELEASE step")
            raise
        self.db.execute("RELEASE step")
        self.commit()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """The many small writes of a pass in few transactions, made durable by `commit()`
        (and by every `transaction()`): a transaction per statement costs more than the
        statement. Readers see the last commit, as ever; a crash loses what was written
        since, schedule bookkeeping only, never a version (versions go through
        `transaction()`)."""
        self.db.execute("BEGIN IMMEDIATE")
        self._batched = True
        try:
            yield
        finally:
            self._batched = False
            if self.db.in_transaction:
                self.db.execute("COMMIT")

    def commit(self) -> None:
        """In a batch: make what it holds durable (and seen by readers) now."""
        if self._batched:
            self.db.execute("COMMIT")
            self.db.execute("BEGIN IMMEDIATE")

    # -- meta ------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str | None) -> None:
        if value is None:
            self.db.execute("DELETE FROM meta WHERE key = ?", (key,))
        else:
            self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- articles ----------------------------------------------------------------

    def _articles(self, where: str, params: Iterable[Any] = ()) -> list[ArticleRow]:
        sql = f"SELECT {', '.join(_ARTICLE_COLUMNS)} FROM articles {where}"
        return [ArticleRow(*row) for row in self.db.execute(sql, tuple(params))]

    def article(self, article_id: int) -> ArticleRow | None:
        rows = self._articles("WHERE id = ?", (article_id,))
        return rows[0] if rows else None

    def article_by_path(self, path: str) -> ArticleRow | None:
        rows = self._articles("WHERE path = ?", (path,))
        return rows[0] if rows else None

    def article_by_alias(self, key: str) -> ArticleRow | None:
        rows = self._articles("WHERE id = (SELECT article FROM aliases WHERE key = ?)", (key,))
        return rows[0] if rows else None

    def articles_by_sid_prefix(self, prefix: str) -> list[ArticleRow]:
        return self._articles("WHERE sid >= ? AND sid < ? LIMIT 5", (prefix, prefix + "g"))

    def add_article(self, source: str, url: str, now: float) -> ArticleRow:
        cur = self.db.execute(
            "INSERT INTO articles (source, url, discovered, next_check) VALUES (?, ?, ?, ?)",
            (source, url, now, now),
        )
        row = self.article(int(cur.lastrowid or 0))
        assert row is not None
        return row

    def save(self, row: ArticleRow) -> None:
        """Write back an article's row (a row merged into another since is left gone)."""
        assignments = ", ".join(f"{c} = ?" for c in _ARTICLE_COLUMNS[1:])
        values = [getattr(row, c) for c in _ARTICLE_COLUMNS[1:]]
        self.db.execute(f"UPDATE articles SET {assignments} WHERE id = ?", (*values, row.id))

    def alias_owner(self, key: str) -> int | None:
        """The id of the article `key` is an alias of (cheaper than the article itself)."""
        row = self.db.execute("SELECT article FROM aliases WHERE key = ?", (key,)).fetchone()
        return None if row is None else int(row[0])

    def add_alias(self, key: str, article_id: int) -> None:
        self.db.execute("INSERT OR IGNORE INTO aliases (key, article) VALUES (?, ?)", (key, article_id))

    def merge_into(self, article_id: int, owner_id: int) -> None:
        """Fold a not-yet-recorded article into the one it turned out to be."""
        self.db.execute("UPDATE aliases SET article = ? WHERE article = ?", (owner_id, article_id))
        self.db.execute("DELETE FROM articles WHERE id = ?", (article_id,))

    def aliases(self, article_id: int) -> list[str]:
        rows = self.db.execute("SELECT key FROM aliases WHERE article = ? ORDER BY key", (article_id,))
        return [str(r[0]) for r in rows]

    def addresses(self, article_id: int) -> list[str]:
        """The URLs an article has been seen under, the most recently seen first."""
        rows = self.db.execute(
            "SELECT key FROM aliases WHERE article = ? AND key LIKE 'http%' ORDER BY rowid DESC",
            (article_id,),
        )
        return [str(r[0]) for r in rows]

    def path_taken(self, path: str) -> bool:
        return self.db.execute("SELECT 1 FROM articles WHERE path = ?", (path,)).fetchone() is not None

    def due(self, source: str, now: float, limit: int) -> list[ArticleRow]:
        """Articles of a source due by `now`: never-checked first, then the most overdue."""
        return self._articles(
            "WHERE source = ? AND next_check IS NOT NULL AND next_check <= ? "
            "ORDER BY last_checked IS NOT NULL, next_check LIMIT ?",
            (source, now, limit),
        )

    def stale_extractions(self, extractor: str, source: str) -> list[ArticleRow]:
        """Articles of `source` whose latest version another extractor (or normaliser, or
        page rules) made."""
        return self._articles(
            "WHERE source = ? AND path IS NOT NULL AND removed = 0 AND (extractor IS NULL OR extractor != ?)",
            (source, extractor),
        )

    def next_due(self) -> float | None:
        row = self.db.execute("SELECT MIN(next_check) FROM articles").fetchone()
        return None if row[0] is None else float(row[0])

    def listing(
        self,
        *,
        source: str | None = None,
        since: float | None = None,
        order: str = "last_changed DESC",
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ArticleRow]:
        """Articles that have at least one version."""
        clauses, params = ["path IS NOT NULL"], []  # type: list[str], list[Any]
        if source:
            clauses.append("source = ?")
            params.append(source)
        if since is not None:
            clauses.append("last_changed >= ?")
            params.append(since)
        allowed = {
            "last_changed DESC",
            "versions DESC, last_changed DESC",
            "first_seen DESC",
            "path",
        }
        if order not in allowed:
            raise ValueError(order)
        where = "WHERE " + " AND ".join(clauses) + f" ORDER BY {order}"
        if limit is not None:
            where += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        return self._articles(where, params)

    def count(self, source: str | None = None) -> dict[str, int]:
        sql = (
            "SELECT COUNT(*), COUNT(path), COALESCE(SUM(versions), 0), "
            "SUM(next_check IS NULL AND path IS NOT NULL), SUM(removed) FROM articles"
        )
        params: tuple[Any, ...] = ()
        if source:
            sql += " WHERE source = ?"
            params = (source,)
        row = self.db.execute(sql, params).fetchone()
        keys = ("tracked", "articles", "versions", "retired", "removed")
        return {k: int(v or 0) for k, v in zip(keys, row, strict=True)}

    def sources_in_use(self) -> list[str]:
        return [str(r[0]) for r in self.db.execute("SELECT DISTINCT source FROM articles ORDER BY 1")]

    # -- texts (flip-flop guard) --------------------------------------------------

    def text_times(self, article_id: int, fingerprint: str, since: float | None = None) -> int:
        """How many versions of the article had this text; with `since`, 0 unless the
        latest of them was committed after that time."""
        row = self.db.execute(
            "SELECT times, last FROM texts WHERE article = ? AND fingerprint = ?",
            (article_id, fingerprint),
        ).fetchone()
        if row is None or (since is not None and (row[1] is None or row[1] < since)):
            return 0
        return int(row[0])

    def record_text(self, article_id: int, fingerprint: str, when: float | None = None) -> None:
        self.db.execute(
            "INSERT INTO texts (article, fingerprint, last) VALUES (?, ?, ?) "
            "ON CONFLICT (article, fingerprint) DO UPDATE SET times = times + 1, "
            "last = max(coalesce(last, 0), coalesce(excluded.last, 0))",
            (article_id, fingerprint, when),
        )

    # -- feeds ---------------------------------------------------------------------

    def feed(self, url: str, source: str) -> FeedRow:
        row = self.db.execute(
            f"SELECT {', '.join(_FEED_COLUMNS)} FROM feeds WHERE url = ?", (url,)
        ).fetchone()
        if row is None:
            return FeedRow(url, source, None, None, None, None, 0, None, None)
        return FeedRow(*row)

    def save_feed(self, row: FeedRow) -> None:
        marks = ", ".join("?" for _ in _FEED_COLUMNS)
        self.db.execute(
            f"INSERT OR REPLACE INTO feeds ({', '.join(_FEED_COLUMNS)}) VALUES ({marks})",
            tuple(getattr(row, c) for c in _FEED_COLUMNS),
        )

    def feeds(self) -> list[FeedRow]:
        rows = self.db.execute(f"SELECT {', '.join(_FEED_COLUMNS)} FROM feeds ORDER BY url")
        return [FeedRow(*r) for r in rows]

    def forget_feeds(self, keep: set[str]) -> None:
        """Drop the feeds no source follows any more (a source removed, a feed taken
        out of journal.toml): they are not polled, so nothing else would clear them.
        The maps a kept sitemap index lists are kept with it."""
        rows = {f.url: f for f in self.feeds()}
        kept = {url for url in keep if url in rows}
        todo = list(kept)
        while todo:
            listed = rows[todo.pop()].maps
            for url in listed.split("\n") if listed else ():
                if url in rows and url not in kept:
                    kept.add(url)
                    todo.append(url)
        for url in rows.keys() - kept:
            self.db.execute("DELETE FROM feeds WHERE url = ?", (url,))

    def next_poll(self) -> float | None:
        row = self.db.execute("SELECT MIN(next_poll) FROM feeds").fetchone()
        return None if row[0] is None else float(row[0])

    # -- robots.txt ------------------------------------------------------------------

    def robots(self, host: str) -> tuple[str, int, float] | None:
        row = self.db.execute("SELECT body, status, fetched FROM robots WHERE host = ?", (host,)).fetchone()
        return None if row is None else (str(row[0] or ""), int(row[1]), float(row[2]))

    def save_robots(self, host: str, body: str, status: int, fetched: float) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO robots (host, body, status, fetched) VALUES (?, ?, ?, ?)",
            (host, body, status, fetched),
        )

    def reset(self) -> None:
        """Forget everything derived from git (reindex rebuilds it)."""
        with self.transaction():
            for table in ("texts", "aliases", "articles"):
                self.db.execute(f"DELETE FROM {table}")
            self.set_meta("head", None)
