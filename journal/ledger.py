"""The single writer of one pass: versions go into git first, into the state second,
into the search index third.

Commits stream into one `git fast-import` (archive.Writer). At a checkpoint the
branch moves, and only then are the versions recorded in the state database and
then in the search index, so a crash between any two is repaired by catching up
from git, never the reverse.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from journal import commits, document, index, schedule
from journal.archive import Archive, Identity, Writer, blob_id
from journal.diff import diff
from journal.extractor import identity
from journal.fetch import Response
from journal.models import ArticleText, Change, Revision, ScheduleSettings, Settings
from journal.outbox import Outbox
from journal.pages import PageStore
from journal.searchindex import SearchIndex, damaged
from journal.state import ArticleRow, State
from journal.summary import Summary
from journal.targets import News
from journal.urls import article_path

CHECKPOINT_EVERY = 500  # commits
CHECKPOINT_SECONDS = 10.0
_COUNTER = {
    Change.NEW: "new",
    Change.EDIT: "changed",
    Change.REMOVED: "removed",
    Change.RESTORED: "restored",
    Change.REEXTRACT: "reextracted",
}


@dataclass
class _Pending:
    """A version written to the stream, waiting for a checkpoint to reach the state."""

    row: ArticleRow
    change: Change
    version: int
    when: float
    title: str
    text_fingerprint: str | None
    response: Response | None
    headline_meta: bool
    size: str | None
    path: str
    data: bytes | None  # the file committed (None: deleted)


def rules_for(settings: Settings, row: ArticleRow) -> ScheduleSettings:
    source = settings.source(row.source)
    return source.schedule if source else settings.schedule


class Ledger:
    def __init__(
        self,
        archive: Archive,
        state: State,
        settings: Settings,
        summary: Summary,
        clock: Callable[[], float],
        outbox: Outbox | None = None,
        note: Callable[[str], None] | None = None,
    ):
        self.archive = archive
        self.note = note
        self.outbox = outbox
        self.state = state
        self.settings = settings
        self.summary = summary
        self.clock = clock
        self.pages = PageStore(archive.state_dir)
        self.search = SearchIndex.open(archive.state_dir, note)
        self.writer = Writer(archive, Identity(settings.author_name, settings.author_email))
        self.pending: list[_Pending] = []
        self.reserved: set[str] = set()
        self.last_checkpoint = time.monotonic()
        self.head = archive.head()  # moves only at checkpoints

    def commit(
        self,
        row: ArticleRow,
        change: Change,
        doc: ArticleText,
        text_fp: str | None,
        resp: Response | None,
        headline_meta: bool = False,
        previous: ArticleText | None = None,
    ) -> None:
        """Write one version (or event) of an article to the stream."""
        now = self.clock()
        when = datetime.fromtimestamp(now, UTC)
        if row.path is None:
            path = article_path(row.source, when, doc.url or row.url, self._taken)
            self.reserved.add(path)
        else:
            path = row.path
        version = row.versions + (0 if change in (Change.REMOVED, Change.REEXTRACT) else 1)
        extractor = identity(self.settings.page_rules(row.source))
        if previous is None and change in (Change.EDIT, Change.RESTORED):
            previous = self.latest_text(row)
        data: bytes | None = None
        size = words = None
        if change is Change.REMOVED:
            summary = f"removed: the page answered HTTP {resp.status if resp else 404}"
        elif change is Change.NEW:
            summary = "first version"
            data = document.render(doc)
        else:
            delta = diff(previous, doc)
            if change is Change.REEXTRACT:
                summary = f"re-extracted with {extractor}: {delta.summary()}"
            else:
                prefix = "back after removal; " if change is Change.RESTORED else ""
                summary, size, words = prefix + delta.summary(), delta.size(), delta.words()
                if change is Change.RESTORED:
                    size = diff(None, doc).size()  # to a reader the whole article came back
            data = document.render(doc)
        message = commits.CommitMessage(
            source=row.source,
            title=doc.title if change is not Change.REMOVED else (row.title or doc.title),
            url=row.url,
            version=version,
            change=change,
            fetched_at=when,
            summary=summary,
            change_size=size,
            words=words,
            extractor=extractor if data is not None else None,
        )
        self.writer.commit(message.render(), when, {path: data})
        row.path = path
        self.pending.append(
            _Pending(row, change, version, now, message.title, text_fp, resp, headline_meta, size, path, data)
        )
        self.summary.count(row.source, _COUNTER[change])
        self.summary.commits += 1
        if (
            self.writer.pending >= CHECKPOINT_EVERY
            or time.monotonic() - self.last_checkpoint > CHECKPOINT_SECONDS
        ):
            self.checkpoint()

    def latest_text(self, row: ArticleRow) -> ArticleText | None:
        """The latest text on record (before a removal, for a restored article)."""
        if row.path is None:
            return None
        data = self.archive.read(self.head, row.path) if self.head else None
        if data is None:
            for revision in reversed(self.archive.revisions(row.path, row.last_commit, row.first_seen)):
                if revision.blob is not None:
                    data = self.archive.read_blob(revision.blob)
                    break
        return document.parse(data) if data else None

    def _taken(self, path: str) -> bool:
        return path in self.reserved or self.state.path_taken(path)

    def checkpoint(self) -> None:
        """Move the branch, then (and only then) record the new versions in the state."""
        if not self.pending:
            return
        parent = self.head
        head = self.writer.checkpoint()
        self.head = head
        written = list(zip(self.pending, self.writer.written, strict=True))
        with self.state.transaction():
            for item, commit in written:
                self._record(item, commit)
            self.state.set_meta("head", head)
        self.pending = []
        self.last_checkpoint = time.monotonic()
        if head is not None:
            self._index(lambda: self.search.add(self.archive, parent, head, _revisions(written)))

    def _index(self, add: Callable[[], int] | None = None) -> None:
        """The search index brought up to the branch: from the versions in hand when it
        was at the last checkpoint, else from git (what a crash left out comes too). A
        damaged index is set aside and built again: it is derived from git, and never
        costs a version."""
        try:
            add() if add else self.search.catch_up(self.archive)
        except sqlite3.DatabaseError as exc:
            if not damaged(exc):
                raise
            self.search = self.search.renewed(exc, self.note)
            self.search.catch_up(self.archive)

    def _record(self, item: _Pending, commit: str) -> None:
        row = item.row
        assert row.path is not None
        index.record(
            self.state,
            row,
            path=row.path,
            change=item.change,
            version=item.version,
            when=item.when,
            title=item.title,
            url=row.url,
            text_fingerprint=item.text_fingerprint,
            extractor=identity(self.settings.page_rules(row.source)),
            commit=commit,
        )
        if self.outbox is not None:  # owed in the same transaction as the version's record
            self.outbox.add(News(commit, row.path, row.source, item.change, item.title, row.url, item.size))
        resp = item.response
        if resp is not None and resp.status == 200:
            if row.sid:
                self.pages.save(row.sid, resp.url, resp.content_type, resp.body, resp.gzipped)
            row.etag, row.last_modified, row.body_hash = resp.etag, resp.last_modified, resp.body_hash
        if item.change is not Change.REEXTRACT:
            # A re-extraction is not news: it leaves the schedule where the check put it.
            nxt = schedule.after_change(item.when, rules_for(self.settings, row))
            row.wait, row.next_check = nxt.wait, nxt.at
            row.last_checked = item.when
            row.failures, row.last_error, row.validated = 0, None, 1
        row.headline = int(item.headline_meta)
        self.state.save(row)

    def close(self, commit: bool = True) -> None:
        """End the stream: checkpoint what is queued, or (after an error) drop it."""
        if commit:
            self.checkpoint()
            self._index()  # also after a pass with nothing new
        self.writer.close(commit=commit)
        self.search.close()


def _revisions(written: list[tuple[_Pending, str]]) -> list[tuple[Revision, bytes | None]]:
    """The versions of a checkpoint as git will give them back, with their files."""
    return [
        (
            Revision(
                commit=commit,
                path=item.path,
                time=datetime.fromtimestamp(int(item.when), UTC),
                change=item.change,
                version=item.version,
                url=item.row.url,
                source=item.row.source,
                title=item.title,
                summary="",
                change_size=item.size,
                blob=None if item.data is None else blob_id(item.data),
            ),
            item.data,
        )
        for item, commit in written
    ]
