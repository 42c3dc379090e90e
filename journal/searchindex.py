"""The search index: what every version wrote and took out, and what every article
says now, in SQLite FTS5 at .git/journal/search.sqlite (local, never committed).

One row per version (`versions`, indexed by the FTS5 table `changes`, which keeps no copy
of the text: its long columns are stored once, compressed): the title it gave (when new
or changed) and the lines it added, the title it replaced and the lines it removed,
against the article's text before it (a set difference of lines: a paragraph edited is
one line out, one line in). The row of an article's latest version also holds the
article's current title and text, unless that version is its first and holds exactly
that already. Photo captions are indexed as their text; front matter and markup never
are. A `reextract` commit re-flows the current text without being a change of its own.

Row ids are the commit time in seconds, shifted 20 bits, plus a counter: newest first
is id order, a date range is an id range, and FTS5 walks either without sorting. The
head the index has read is its watermark, written in the transaction that writes the
rows: a crash between a checkpoint and the index update is caught up from
`git log WATERMARK..HEAD`, and a rewritten history (watermark not an ancestor) rebuilds.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import queue
import sqlite3
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from journal import captions, disk, document
from journal.archive import Archive
from journal.errors import LockHeld
from journal.lock import WriterLock
from journal.models import Change, Revision
from journal.query import spaced

log = logging.getLogger(__name__)

FILE = "search.sqlite"
SCHEMA_VERSION = "1"
_TOKENIZE = "tokenize = 'unicode61 remove_diacritics 2', columnsize = 0"
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',   -- current title
    blob TEXT,                        -- its latest text: what the next version is compared with
    version INTEGER NOT NULL DEFAULT 0,
    latest INTEGER,                   -- id of its latest version
    current INTEGER,                  -- id of the version row holding its current text, if one does
    removed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS articles_source ON articles (source);
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY,           -- (commit time << 20) + n
    article INTEGER NOT NULL,
    version INTEGER NOT NULL,
    previous INTEGER,                 -- the version it was compared with
    change TEXT NOT NULL,
    size TEXT,
    commit_id TEXT NOT NULL,
    -- What `changes` indexes, the long columns zlib-compressed when long (NULL: empty)
    title TEXT NOT NULL DEFAULT '',
    added BLOB,
    old_title TEXT NOT NULL DEFAULT '',
    removed BLOB,
    title_now TEXT NOT NULL DEFAULT '',
    text_now BLOB,
    tags TEXT NOT NULL DEFAULT ''
);
CREATE VIEW IF NOT EXISTS version_texts AS SELECT
    id, title, unzip(added) AS added, old_title, unzip(removed) AS removed,
    title_now, unzip(text_now) AS text_now, tags
FROM versions;
CREATE VIRTUAL TABLE IF NOT EXISTS changes USING fts5(
    title, added, old_title, removed, title_now, text_now, tags,
    content = 'version_texts', content_rowid = 'id', {_TOKENIZE}
);
"""
SHIFT = 20  # bits of a row id below the commit time
_BATCH = 2000  # commits read from git at a time
_CACHED = 4096  # texts kept parsed between batches (edits come soon after the version before)
_SHORT = 400  # characters: texts shorter than this are stored uncompressed


def source_tag(source: str) -> str:
    """A source as one word of the `tags` column: source names hold '-', which splits words."""
    return "s" + hashlib.blake2b(source.encode(), digest_size=6).hexdigest()


def kind_tag(change: str, size: str | None) -> str:
    """An edit's size (typo, minor, major); "new" and "restored" for the other versions."""
    return (size or "") if change == Change.EDIT.value else change


def row_id(seconds: float) -> int:
    return int(seconds) << SHIFT


@dataclass(frozen=True)
class _Text:
    title: str
    lines: tuple[str, ...]


@dataclass
class _Article:
    id: int
    path: str
    source: str
    title: str
    blob: str | None
    version: int
    latest: int | None
    current: int | None
    removed: int


class SearchIndex:
    """The index file of one archive. One writer at a time (under the archive's writer
    lock); readers any time, seeing the last committed watermark."""

    def __init__(self, path: Path):
        self.path = path
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        self.db.create_function("unzip", 1, _unzip, deterministic=True)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        # A rebuild is one transaction as large as the index; without a limit its WAL
        # would stay that size on disk after the checkpoint.
        self.db.execute("PRAGMA journal_size_limit=67108864")
        self.db.executescript(_SCHEMA)
        if self.meta("schema") is None:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))

    @classmethod
    def open(cls, state_dir: Path, note: Callable[[str], None] | None = None) -> SearchIndex:
        """The index of an archive, made empty when missing or damaged (see `renewed`)."""
        path = state_dir / FILE
        try:
            return cls(path)
        except sqlite3.DatabaseError as exc:
            if not damaged(exc):
                raise
            _set_aside(path, exc, note)
        return cls(path)

    def renewed(self, exc: sqlite3.DatabaseError, note: Callable[[str], None] | None = None) -> SearchIndex:
        """A damaged index (a torn or overwritten file) closed and moved aside, and an
        empty one in its place, which the next catch-up builds from git history: the
        index is derived from git, so nothing is lost but the time to rebuild it."""
        self.close()
        _set_aside(self.path, exc, note)
        return SearchIndex(self.path)

    def close(self) -> None:
        self.db.close()

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    @property
    def head(self) -> str | None:
        """The commit the index has read up to (None when it was written by another
        version of this module: then the next catch-up rebuilds it)."""
        return self.meta("head") if self.meta("schema") == SCHEMA_VERSION else None

    def has_source(self, source: str) -> bool:
        return (
            self.db.execute("SELECT 1 FROM articles WHERE source = ? LIMIT 1", (source,)).fetchone()
            is not None
        )

    # -- keeping it current ----------------------------------------------------------

    def catch_up(self, archive: Archive) -> int:
        """Index the commits git has and the index does not; return how many were read."""
        head = archive.head()
        known = self.head
        if head is None or head == known:
            return 0
        if known is not None and not archive.is_ancestor(known, head):
            log.warning("history was rewritten since the search index was written; rebuilding it")
            known = None
        return self._apply(archive, head if known is None else f"{known}..{head}", head, known is None)

    def add(
        self, archive: Archive, parent: str | None, head: str, versions: list[tuple[Revision, bytes | None]]
    ) -> int:
        """Index the commits an updater made from `parent` to `head`, from the texts it
        has in hand (no git read but for an edited article's text before); when the index
        is not at `parent` (behind, or new), catch up from git instead."""
        if parent is None or self.head != parent:
            return self.catch_up(archive)
        texts = {r.blob: _parsed(data) for r, data in versions if r.blob is not None and data is not None}
        with self._transaction():
            run = _Run(self.db, archive)
            run.add([r for r, _ in versions], texts)
            run.finish()
            self._set_head(head)
        return len(versions)

    def rebuild(self, archive: Archive) -> int:
        """Forget everything and index every commit again."""
        head = archive.head()
        return self._apply(archive, head, head, True)

    @contextmanager
    def rebuilding(self, archive: Archive) -> Iterator[Callable[[list[Revision], dict[str, bytes]], None]]:
        """A rebuild fed by another walk of the whole history (`journal reindex` reads every
        commit for the state anyway): call what this yields with every batch of commits,
        oldest first, and the texts they made. Nothing changes unless the block ends well."""
        head = archive.head()
        with self._transaction():
            self._reset()
            run = _Run(self.db, archive)
            yield lambda batch, blobs: run.add(batch, {b: _parsed(data) for b, data in blobs.items()})
            run.finish()
            self._set_head(head)

    def _apply(self, archive: Archive, rev: str | None, head: str | None, fresh: bool) -> int:
        count = 0
        with self._transaction():
            if fresh:
                self._reset()
            if rev is not None:
                run = _Run(self.db, archive)
                for batch, texts in _read_ahead(archive, rev):
                    run.add(batch, texts)
                    count += len(batch)
                run.finish()
            self._set_head(head)
        return count

    def _reset(self) -> None:
        self.db.execute("DROP TABLE IF EXISTS changes")
        self.db.execute("DROP VIEW IF EXISTS version_texts")
        for table in ("versions", "articles"):
            self.db.execute(f"DROP TABLE IF EXISTS {table}")
        for statement in _SCHEMA.split(";"):
            self.db.execute(statement)
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))

    def _set_head(self, head: str | None) -> None:
        if head is None:
            self.db.execute("DELETE FROM meta WHERE key = 'head'")
        else:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('head', ?)", (head,))

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")


_DAMAGED = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}


def damaged(exc: BaseException) -> bool:
    """Whether SQLite says the file itself is damaged."""
    return isinstance(exc, sqlite3.DatabaseError) and getattr(exc, "sqlite_errorcode", None) in _DAMAGED


def _set_aside(path: Path, exc: BaseException, note: Callable[[str], None] | None) -> None:
    aside = disk.move_aside(path)
    (note or log.warning)(
        f"The search index {path} was damaged ({str(exc)[:200]}); moved it to {aside.name}; "
        "it is built again from git history (nothing in history is lost)."
    )


def current(archive: Archive, note: Callable[[str], None]) -> SearchIndex:
    """The index of `archive`, brought up to date with git first (see `refresh`)."""
    index = SearchIndex.open(archive.state_dir, note)
    try:
        refresh(index, archive, note)
    except sqlite3.DatabaseError as exc:
        if not damaged(exc):
            raise
        index = index.renewed(exc, note)
        refresh(index, archive, note)
    return index


def refresh(index: SearchIndex, archive: Archive, note: Callable[[str], None]) -> None:
    """Catch the index up with git when it is behind: built when new (a fresh clone),
    caught up when commits came by other means (a pull, merged shards). While an updater
    holds the lock it is left to the updater, which indexes at each checkpoint: a search
    then sees the versions up to the last one indexed."""
    if index.head == archive.head():
        return
    try:
        with WriterLock(archive.state_dir):
            if index.head is None:
                note(f"Building the search index of {archive.root} from git history (once)…")
            index.catch_up(archive)
    except LockHeld:
        pass


def _read_ahead(archive: Archive, rev: str) -> Iterator[tuple[list[Revision], dict[str, _Text]]]:
    """The commits of `rev`, oldest first, a batch at a time with the texts they need
    (before and after) read and parsed: in a thread that keeps a batch ahead, so git
    reads and inflates objects while the caller writes the index."""
    ready: queue.Queue[tuple[list[Revision], dict[str, _Text]] | BaseException | None] = queue.Queue(2)
    stop = threading.Event()

    def put(item: tuple[list[Revision], dict[str, _Text]] | BaseException | None) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        recent: OrderedDict[str, None] = OrderedDict()  # blobs sent lately: the caller keeps them
        try:
            commits = iter(archive.log(rev=rev, reverse=True))
            while batch := list(itertools.islice(commits, _BATCH)):
                wanted = [b for r in batch for b in (r.parent_blob, r.blob) if b and b not in recent]
                wanted = list(dict.fromkeys(wanted))
                texts = {b: _parsed(data) for b, data in zip(wanted, archive.read_blobs(wanted), strict=True)}
                recent.update(dict.fromkeys(texts))
                while len(recent) > _CACHED // 2:
                    recent.popitem(last=False)
                if not put((batch, texts)):
                    return
            put(None)
        except BaseException as exc:
            put(exc)

    thread = threading.Thread(target=produce, name="search-index-reader", daemon=True)
    thread.start()
    try:
        while (item := ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def _parsed(data: bytes) -> _Text:
    doc = document.parse(data)
    return _Text(doc.title, doc.paragraphs)


class _Run:
    """One pass over new commits, oldest first: a row per version as it comes, and the
    current texts of the articles it changed at the end (each written once, into the
    row of the article's latest version)."""

    def __init__(self, db: sqlite3.Connection, archive: Archive):
        self.db = db
        self.archive = archive
        self.texts: OrderedDict[str, _Text] = OrderedDict()
        self.dirty: dict[int, str | None] = {}  # article id -> blob of its current text (None: none needed)
        self.allotted: dict[int, int] = {}  # the first id of a second -> the last id given in it

    def add(self, batch: list[Revision], texts: dict[str, _Text]) -> None:
        articles: dict[str, _Article] = {}
        for revision in batch:
            if revision.path not in articles:
                articles[revision.path] = self._article(revision)
        self.texts.update(texts)
        wanted = [r.blob for r in batch if r.blob and r.change is not Change.REMOVED]
        wanted += [a.blob for a in articles.values() if a.blob]
        self._load(wanted)
        for revision in batch:
            self._version(articles[revision.path], revision)
        for article in articles.values():
            self._save(article)

    def _article(self, revision: Revision) -> _Article:
        row = self.db.execute(
            "SELECT id, path, source, title, blob, version, latest, current, removed FROM articles WHERE path = ?",
            (revision.path,),
        ).fetchone()
        if row is not None:
            return _Article(*row)
        source = revision.source or revision.path.split("/", 1)[0]
        cur = self.db.execute("INSERT INTO articles (path, source) VALUES (?, ?)", (revision.path, source))
        return _Article(int(cur.lastrowid or 0), revision.path, source, "", None, 0, None, None, 0)

    def _load(self, blobs: list[str]) -> None:
        """Parse the blobs not at hand (one `git cat-file` for all); keep the newest few."""
        missing = list(dict.fromkeys(b for b in blobs if b not in self.texts))
        for blob, data in zip(missing, self.archive.read_blobs(missing) if missing else (), strict=True):
            self.texts[blob] = _parsed(data)
        for blob in blobs:
            self.texts.move_to_end(blob)
        while len(self.texts) > max(_CACHED, len(blobs)):
            self.texts.popitem(last=False)

    def _version(self, article: _Article, revision: Revision) -> None:
        if revision.change is Change.REMOVED or revision.blob is None:
            article.removed = 1  # taken down: its last text stays searchable
            return
        text = self.texts[revision.blob]
        old = self.texts.get(article.blob) if article.blob else None
        article.blob, article.title, article.removed = revision.blob, text.title, 0
        if revision.change is Change.REEXTRACT:
            self.dirty[article.id] = revision.blob  # the text re-flowed; nothing was written or taken out
            return
        added: tuple[str, ...]
        removed: tuple[str, ...]
        if old is None or revision.change is Change.NEW:
            title, added, old_title, removed = text.title, text.lines, "", ()
            self.dirty[article.id] = None  # this version holds the whole text
        else:
            before, after = set(old.lines), set(text.lines)
            changed = text.title != old.title
            title, old_title = (text.title, old.title) if changed else ("", "")
            added = tuple(line for line in text.lines if line not in before)
            removed = tuple(line for line in old.lines if line not in after)
            self.dirty[article.id] = revision.blob
        vid = self._allot(revision.time.timestamp())
        row = (
            _indexed(title),
            _joined(added),
            _indexed(old_title),
            _joined(removed),
            "",
            "",
            f"{source_tag(article.source)} {kind_tag(revision.change.value, revision.change_size)}",
        )
        self.db.execute(
            "INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                vid,
                article.id,
                revision.version,
                article.version or None,
                revision.change.value,
                revision.change_size,
                revision.commit,
                *_stored(row),
            ),
        )
        self.db.execute(_INDEX, (vid, *row))
        article.latest, article.version = vid, revision.version

    def _allot(self, seconds: float) -> int:
        """The next free id in the commit's second."""
        base = row_id(seconds)
        if base not in self.allotted:
            top = self.db.execute(
                "SELECT MAX(id) FROM versions WHERE id >= ? AND id < ?", (base, base + (1 << SHIFT))
            ).fetchone()[0]
            self.allotted[base] = base - 1 if top is None else int(top)
        self.allotted[base] += 1
        return self.allotted[base]

    def _save(self, article: _Article) -> None:
        self.db.execute(
            "UPDATE articles SET title = ?, blob = ?, version = ?, latest = ?, current = ?, removed = ? WHERE id = ?",
            (
                article.title,
                article.blob,
                article.version,
                article.latest,
                article.current,
                article.removed,
                article.id,
            ),
        )

    def finish(self) -> None:
        """Write the current text of every article this run changed, replacing the old."""
        pending = list(self.dirty.items())
        for start in range(0, len(pending), _BATCH):
            batch = pending[start : start + _BATCH]
            self._load([blob for _, blob in batch if blob])
            for article_id, blob in batch:
                self._current(article_id, blob)
        self.dirty.clear()

    def _current(self, article_id: int, blob: str | None) -> None:
        latest, current = self.db.execute(
            "SELECT latest, current FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if current is not None and (current != latest or blob is None):
            self._now(current, "", "")
        current = None
        if blob is not None and latest is not None:
            text = self.texts[blob]
            self._now(latest, _indexed(text.title), _joined(text.lines))
            current = latest
        self.db.execute("UPDATE articles SET current = ? WHERE id = ?", (current, article_id))

    def _now(self, vid: int, title: str, text: str) -> None:
        """Give a version row the article's current title and text (or take them away).
        The index holds no copy of its text: what it indexed is told back to it to undo."""
        old = self.db.execute("SELECT * FROM version_texts WHERE id = ?", (vid,)).fetchone()
        self.db.execute(
            "INSERT INTO changes (changes, rowid, title, added, old_title, removed, title_now, text_now, tags) "
            "VALUES ('delete', ?, ?, ?, ?, ?, ?, ?, ?)",
            old,
        )
        row = (*old[1:5], title, text, old[7])
        self.db.execute(
            "UPDATE versions SET title_now = ?, text_now = ? WHERE id = ?", (*_stored(row)[4:6], vid)
        )
        self.db.execute(_INDEX, (vid, *row))


_INDEX = (
    "INSERT INTO changes (rowid, title, added, old_title, removed, title_now, text_now, tags) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


def _stored(row: tuple[str, ...]) -> tuple[str | bytes | None, ...]:
    """A row as `versions` keeps it: the long columns (lines added, removed, the text
    now) compressed when long, empty ones NULL; the titles and tags as they are."""
    title, added, old_title, removed, title_now, text_now, tags = row
    return (title, _zip(added), old_title, _zip(removed), title_now, _zip(text_now), tags)


def _zip(text: str) -> str | bytes | None:
    """Compressed when long; a short text (most edits) as it is: it would hardly shrink."""
    if len(text) < _SHORT:
        return text or None
    return zlib.compress(text.encode(), 1)


def _unzip(data: str | bytes | None) -> str:
    if isinstance(data, bytes):
        return zlib.decompress(data).decode()
    return data or ""


def _indexed(text: str) -> str:
    if "\x02" in text or "\x03" in text:  # the marks of snippets never come from the text
        text = text.replace("\x02", " ").replace("\x03", " ")
    return text if text.isascii() else spaced(text)


def _joined(lines: Iterable[str]) -> str:
    """Lines as a reader reads them (a caption's text, not its markup), one a line."""
    return _indexed("\n".join(captions.shown(line) if line[:1] in "!\\" else line for line in lines))
