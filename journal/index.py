"""Rebuild local state from git history: `journal reindex`, and catching up after a crash.

History is the truth. The state database is a cache of it plus what only the updater
can know (HTTP validators, error counts); everything readers rely on (articles,
versions, first seen, last changed, aliases, the schedule) comes back from git.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from journal import document, schedule
from journal.archive import Archive
from journal.models import Change, Revision, Settings
from journal.normalize import fingerprint
from journal.outbox import Outbox
from journal.state import ArticleRow, State
from journal.targets import News
from journal.urls import article_id

log = logging.getLogger(__name__)


def record(
    state: State,
    row: ArticleRow,
    *,
    path: str,
    change: Change,
    version: int,
    when: float,
    title: str,
    url: str,
    text_fingerprint: str | None,
    extractor: str | None = None,
    commit: str | None = None,
) -> None:
    """Fold one committed version into an article row (the row is saved by the caller)."""
    row.path = path
    if commit:
        row.last_commit = commit
    row.sid = article_id(path)
    if title:
        row.title = title
    if url:
        row.url = url
        state.add_alias(url, row.id)
    row.versions = max(row.versions, version)
    if row.first_seen is None:
        row.first_seen = when
    if change is not Change.REEXTRACT:
        row.last_changed = when
    if change is Change.REMOVED:
        row.removed = 1
        return
    row.removed = 0
    if extractor:
        row.extractor = extractor
    if text_fingerprint:
        row.fingerprint = text_fingerprint
        if change is Change.REEXTRACT:
            if state.text_times(row.id, text_fingerprint) == 0:
                state.record_text(row.id, text_fingerprint, when)
        else:
            state.record_text(row.id, text_fingerprint, when)


def catch_up(
    archive: Archive,
    state: State,
    settings: Settings,
    now: float,
    progress: Callable[[int], None] | None = None,
    outbox: Outbox | None = None,
) -> int:
    """Apply the commits git has and the state does not; return how many. Versions
    caught up are owed to `outbox` (a rebuild from scratch owes nothing)."""
    head = archive.head()
    known = state.meta("head")
    if head is None or head == known:
        return 0
    if known is not None and not archive.is_ancestor(known, head):
        log.warning("history was rewritten since the state was written; rebuilding it")
        state.reset()
        known = None
    rev = head if known is None else f"{known}..{head}"
    return _apply(archive, state, settings, rev, head, now, progress, outbox if known else None)


def reindex(
    archive: Archive,
    state: State,
    settings: Settings,
    now: float,
    progress: Callable[[int], None] | None = None,
    also: Callable[[list[Revision], dict[str, bytes]], None] | None = None,
) -> int:
    """Forget the derived state and rebuild it from every commit. `also` is handed each
    batch of commits with the texts they made, oldest first: the search index is built
    from the same walk of history."""
    archive.configure()
    state.reset()
    head = archive.head()
    if head is None:
        return 0
    return _apply(archive, state, settings, head, head, now, progress, also=also)


def _apply(
    archive: Archive,
    state: State,
    settings: Settings,
    rev: str,
    head: str,
    now: float,
    progress: Callable[[int], None] | None,
    outbox: Outbox | None = None,
    also: Callable[[list[Revision], dict[str, bytes]], None] | None = None,
) -> int:
    count = 0
    with state.transaction():
        for batch in _batches(archive.log(rev=rev, reverse=True), 2000):
            blobs = [r.blob for r in batch if r.blob is not None and r.change is not Change.REMOVED]
            texts = dict(zip(blobs, archive.read_blobs(blobs), strict=True))
            if also:
                also(batch, texts)
            for revision in batch:
                data = texts.get(revision.blob) if revision.blob else None
                _apply_one(state, settings, revision, data, now)
                if outbox is not None:
                    outbox.add(News.of(revision))
                count += 1
            if progress:
                progress(count)
        state.set_meta("head", head)
    return count


def _apply_one(state: State, settings: Settings, revision: Revision, data: bytes | None, now: float) -> None:
    row = _row_for(state, revision)
    text_fp = None
    if data is not None and revision.change is not Change.REMOVED:
        doc = document.parse(data)
        text_fp = fingerprint(doc.title, doc.paragraphs)
    record(
        state,
        row,
        path=revision.path,
        change=revision.change,
        version=revision.version,
        when=revision.time.timestamp(),
        title=revision.title,
        url=revision.url,
        text_fingerprint=text_fp,
        extractor=revision.extractor,
        commit=revision.commit,
    )
    source = settings.source(row.source)
    rules = source.schedule if source else settings.schedule
    nxt = schedule.resume(row.last_changed or now, now, rules)
    row.wait, row.next_check = nxt.wait, nxt.at
    row.last_checked = max(row.last_checked or 0.0, revision.time.timestamp())
    state.save(row)


def _batches(items: Iterator[Revision], size: int) -> Iterator[list[Revision]]:
    batch: list[Revision] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _row_for(state: State, revision: Revision) -> ArticleRow:
    row = state.article_by_path(revision.path)
    if row is None and revision.url:
        candidate = state.article_by_alias(revision.url)
        if candidate is not None and candidate.path is None:
            row = candidate
    if row is None:
        source = revision.source or revision.path.split("/", 1)[0]
        row = state.add_article(source, revision.url, revision.time.timestamp())
    return row
