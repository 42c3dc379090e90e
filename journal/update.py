"""The update pipeline (DESIGN §7).

```
due feeds ─▶ poll (conditional GET) ─▶ entries ─▶ identity (guid, link, aliases) ─┐
due articles ◀─────────────────────────────────────────────────────────────────────┘
   ─▶ fetch (concurrent; per-host limit and delay; robots.txt; deadline; size cap)
   ─▶ extract + normalise (process pool, every core; skipped for a byte-identical body)
   ─▶ compare with the latest version ─▶ one writer (git fast-import) ─▶ checkpoint
   ─▶ state updated (only after the branch has moved)
```

All decisions run on the event loop's thread, between awaits, so the state
database and the writer have one user. A crash at any point loses at most the
versions not yet checkpointed (they are fetched again next run) and duplicates
nothing: the state catches up from git before each run.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import ctypes
import logging
import multiprocessing
import os
import re
import signal
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from journal import commits, document, index, schedule
from journal.archive import Archive, Identity, Writer
from journal.config import parse as parse_config
from journal.diff import diff as text_diff
from journal.errors import FeedError, FetchError
from journal.extract import EXTRACTOR, extract_page
from journal.feeds import parse as parse_feed
from journal.fetch import Fetcher, Response
from journal.lock import WriterLock
from journal.models import (
    ArticleText,
    Change,
    Extraction,
    FeedEntry,
    NotArticle,
    ScheduleSettings,
    Settings,
    Source,
)
from journal.normalize import fingerprint, same_words
from journal.pages import PageStore
from journal.state import ArticleRow, State
from journal.urls import BadURL, article_path, canonical

log = logging.getLogger(__name__)

CHECKPOINT_EVERY = 500  # commits
CHECKPOINT_SECONDS = 10.0
COUNTERS = ("new", "changed", "unchanged", "removed", "restored", "reextracted", "skipped", "failed")


class Reporter(Protocol):
    """How the pipeline tells a person what it is doing (the CLI renders it)."""

    def phase(self, name: str, total: int) -> None: ...

    def advance(self, name: str, amount: int = 1) -> None: ...

    def note(self, message: str) -> None: ...


class QuietReporter:
    def phase(self, name: str, total: int) -> None:
        pass

    def advance(self, name: str, amount: int = 1) -> None:
        pass

    def note(self, message: str) -> None:
        log.info("%s", message)


@dataclass(frozen=True)
class Options:
    sources: tuple[str, ...] = ()  # only these sources (all when empty)
    force: bool = False  # check everything now, ignoring the schedule
    articles: tuple[int, ...] = ()  # check exactly these articles now
    reextract: bool = False  # re-extract latest versions made by another extractor


@dataclass
class Summary:
    """What one pass did, per source; `failures` names every URL that failed and why."""

    started: datetime
    finished: datetime | None = None
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    failures: list[dict[str, str]] = field(default_factory=list)
    feeds_polled: int = 0
    feeds_failed: int = 0
    discovered: int = 0
    commits: int = 0
    head: str | None = None
    interrupted: bool = False

    def count(self, source: str, key: str) -> None:
        self.counts.setdefault(source, Counter())[key] += 1

    def fail(self, source: str, url: str, reason: str, *, feed: bool = False) -> None:
        self.failures.append(
            {"source": source, "url": url, "error": reason, "kind": "feed" if feed else "article"}
        )

    def totals(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for counter in self.counts.values():
            total.update(counter)
        return {key: total.get(key, 0) for key in COUNTERS}

    def as_json(self) -> dict[str, Any]:
        return {
            "started": commits.iso(self.started),
            "finished": commits.iso(self.finished) if self.finished else None,
            "interrupted": self.interrupted,
            "commits": self.commits,
            "head": self.head,
            "feeds": {"polled": self.feeds_polled, "failed": self.feeds_failed},
            "discovered": self.discovered,
            "totals": self.totals(),
            "sources": {
                name: {key: counter.get(key, 0) for key in COUNTERS}
                for name, counter in sorted(self.counts.items())
            },
            "failures": self.failures,
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


def run(
    archive: Archive,
    options: Options,
    reporter: Reporter | None = None,
    clock: Callable[[], float] = time.time,
    watch: bool = False,
    max_cycles: int | None = None,
) -> Summary:
    """One pass (or, with `watch`, passes until stopped). Holds the writer lock throughout."""
    reporter = reporter or QuietReporter()
    with WriterLock(archive.state_dir) as lock:
        pool = ExtractorPool(close_in_workers=lock.fds())
        for note in archive.recover():
            reporter.note(note)
        state = State.open(archive.state_dir)
        try:
            runner = _Runner(archive, state, options, reporter, clock, pool)
            return asyncio.run(runner.main(watch, max_cycles))
        finally:
            pool.close()
            state.close()


class ExtractorPool:
    """Worker processes for extraction, one per core.

    They are forked before the event loop starts any thread, so each worker is a
    clean copy of a single-threaded process with trafilatura already imported.
    Workers drop their copy of the writer lock and die with their parent, so a
    killed updater never leaves a lock held by orphans.
    """

    def __init__(self, close_in_workers: tuple[int, ...] = ()) -> None:
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._close = close_in_workers
        self._start()

    def _start(self) -> None:
        context = multiprocessing.get_context("fork")
        self._pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=os.cpu_count() or 1,
            mp_context=context,
            initializer=_worker_init,
            initargs=(self._close,),
        )
        self._pool.submit(int).result()  # fork every worker now, while single-threaded

    def get(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._pool is None:
            self._start()
        assert self._pool is not None
        return self._pool

    def broken(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _worker_init(close: tuple[int, ...]) -> None:
    """Start of an extraction worker: die with the parent, leave signals and locks to it."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    if os.getppid() == 1:
        os._exit(0)  # the parent died before prctl took effect
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for fd in close:
        with contextlib.suppress(OSError):
            os.close(fd)


class _Runner:
    def __init__(
        self,
        archive: Archive,
        state: State,
        options: Options,
        reporter: Reporter,
        clock: Callable[[], float],
        pool: ExtractorPool,
    ):
        self.archive = archive
        self.state = state
        self.options = options
        self.reporter = reporter
        self.clock = clock
        self.stopping = asyncio.Event()
        self.pool = pool
        self.pages = PageStore(archive.state_dir)

    async def main(self, watch: bool, max_cycles: int | None) -> Summary:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            # Not possible off the main thread (tests drive the runner from threads).
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self._stop, sig)
        cycles = 0
        total = Summary(started=self._now())
        try:
            while True:
                summary = await self.cycle()
                cycles += 1
                _merge(total, summary)
                if not watch or self.stopping.is_set() or (max_cycles and cycles >= max_cycles):
                    break
                await self._sleep_until_due()
                if self.stopping.is_set():
                    break
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.remove_signal_handler(sig)
        total.finished = self._now()
        total.interrupted = self.stopping.is_set()
        return total

    def _stop(self, sig: int) -> None:
        if self.stopping.is_set():
            raise KeyboardInterrupt  # a second signal: leave now, the last checkpoint stands
        self.reporter.note(f"{signal.Signals(sig).name}: finishing the pages in flight, then stopping")
        self.stopping.set()

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    async def _sleep_until_due(self) -> None:
        nxt = min(
            (t for t in (self.state.next_due(), self.state.next_poll()) if t is not None),
            default=None,
        )
        delay = 60.0 if nxt is None else min(max(nxt - self.clock(), 1.0), 3600.0)
        self.reporter.note(f"sleeping {schedule.human(delay)} until the next check is due")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), timeout=delay)

    # -- one pass -----------------------------------------------------------------

    async def cycle(self) -> Summary:
        self.settings = _load_settings(self.archive)
        self.summary = Summary(started=self._now())
        now = self.clock()
        caught = index.catch_up(self.archive, self.state, self.settings, now)
        if caught:
            self.reporter.note(f"recorded {caught} commits that the state had missed")
        self._sync_worktree()
        self.writer = Writer(self.archive, Identity(self.settings.author_name, self.settings.author_email))
        self.pending: list[_Pending] = []
        self.reserved: set[str] = set()
        self.handled: set[int] = set()
        self.last_checkpoint = time.monotonic()
        sources = self._sources()
        try:
            async with Fetcher(self.settings.fetch, robots=self.state, clock=self.clock) as fetcher:
                self.fetcher = fetcher
                if self.options.reextract:
                    await self._each(self._stale(sources), self.reextract)
                else:
                    if not self.options.articles:
                        await self._poll_feeds(sources, now)
                    await self._each(self._due(sources, self.clock()), self._check)
            self._checkpoint()
            self.writer.close()
        except BaseException:
            # Whatever was checkpointed stands; the rest is fetched again next run.
            self.writer.close(commit=False)
            raise
        finally:
            self._sync_worktree()
        self._upkeep()
        self.summary.finished = self._now()
        self.summary.head = self.archive.head()
        return self.summary

    def _sources(self) -> list[Source]:
        wanted = set(self.options.sources)
        return [s for s in self.settings.sources if not wanted or s.name in wanted]

    # -- feeds ----------------------------------------------------------------------

    async def _poll_feeds(self, sources: list[Source], now: float) -> None:
        jobs = []
        for source in sources:
            for url in source.urls:
                try:
                    self._register(source, FeedEntry(link=canonical(url)), now)
                except BadURL as exc:
                    self.summary.fail(source.name, url, str(exc))
            for feed_url in source.feeds:
                row = self.state.feed(feed_url, source.name)
                if self.options.force or row.next_poll is None or row.next_poll <= now:
                    jobs.append((source, row))
        self.reporter.phase("feeds", len(jobs))
        await asyncio.gather(*(self._poll(source, row) for source, row in jobs))

    async def _poll(self, source: Source, row: Any) -> None:
        now = self.clock()
        row.last_polled = now
        row.next_poll = now + source.schedule.feed_interval
        try:
            resp = await self.fetcher.get(
                row.url,
                etag=row.etag if not row.failures else None,
                last_modified=row.last_modified if not row.failures else None,
                accept="application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5",
                html_only=False,
            )
            if resp.status in (404, 410):
                raise FeedError(f"HTTP {resp.status}: the feed is gone; check its address")
            if resp.status != 304 and resp.body_hash != row.body_hash:
                result = parse_feed(resp.body, resp.url, resp.content_type)
                for entry in result.entries:
                    self._register(source, entry, now)
                if result.problem:
                    self.reporter.note(f"feed {row.url} ({source.name}): partly unreadable: {result.problem}")
                row.body_hash = resp.body_hash
            row.etag, row.last_modified = resp.etag, resp.last_modified
            row.failures, row.last_error = 0, None
        except (FetchError, FeedError) as exc:
            row.failures += 1
            row.last_error = str(exc)
            self.summary.feeds_failed += 1
            self.summary.fail(source.name, row.url, str(exc), feed=True)
            self.reporter.note(f"feed failed  {source.name}  {row.url}: {exc}")
        self.summary.feeds_polled += 1
        self.state.save_feed(row)
        self.reporter.advance("feeds")

    def _register(self, source: Source, entry: FeedEntry, now: float) -> None:
        """Find or create the article a feed entry stands for; remember every alias."""
        if not _wanted(source, entry.link):
            return
        guid_key = f"guid {source.name} {entry.guid}" if entry.guid else None
        row = self.state.article_by_alias(guid_key) if guid_key else None
        if row is None:
            row = self.state.article_by_alias(entry.link)
        if row is None:
            row = self.state.add_article(source.name, entry.link, now)
            self.summary.discovered += 1
        elif row.path is None and row.url != entry.link and self.state.article_by_alias(entry.link) is None:
            row.url = entry.link  # the feed's newest link for an article not yet fetched
            self.state.save(row)
        self.state.add_alias(entry.link, row.id)
        if guid_key:
            self.state.add_alias(guid_key, row.id)

    # -- articles ----------------------------------------------------------------------

    def _due(self, sources: list[Source], now: float) -> list[ArticleRow]:
        if self.options.articles:
            found = [self.state.article(i) for i in self.options.articles]
            return [r for r in found if r is not None]
        rows = []
        for source in sources:
            if self.options.force:
                rows += self.state.due(source.name, float("inf"), 10**9)
            else:
                rows += self.state.due(source.name, now, source.schedule.max_per_source)
        return rows

    def _stale(self, sources: list[Source]) -> list[ArticleRow]:
        if self.options.articles:
            found = [self.state.article(i) for i in self.options.articles]
            return [r for r in found if r is not None and r.versions]
        names = {s.name for s in sources}
        return [r for r in self.state.stale_extractions(EXTRACTOR) if r.source in names]

    async def _each(self, rows: list[ArticleRow], work: Callable[[ArticleRow], Awaitable[None]]) -> None:
        self.reporter.phase("articles", len(rows))
        slots = asyncio.Semaphore(self.settings.fetch.concurrency)

        async def one(row: ArticleRow) -> None:
            async with slots:
                if self.stopping.is_set():
                    return
                try:
                    await work(row)
                finally:
                    self.reporter.advance("articles")

        await asyncio.gather(*(one(row) for row in rows))

    async def _check(self, row: ArticleRow, conditional: bool = True) -> None:
        rules = rules_for(self.settings, row)
        # Validators prove "unchanged" only after a good check, and only for text
        # that the current extractor made.
        trusted = (
            conditional and bool(row.validated) and not row.removed and row.extractor in (None, EXTRACTOR)
        )
        try:
            resp = await self.fetcher.get(
                row.url,
                etag=row.etag if trusted else None,
                last_modified=row.last_modified if trusted else None,
            )
        except FetchError as exc:
            self._failed(row, rules, str(exc))
            return
        if resp.status in (404, 410):
            self._gone(row, rules, resp)
            return
        if resp.status == 304 or (trusted and resp.body_hash == row.body_hash):
            self._unchanged(row, rules, resp)
            return
        outcome = await self._extract(resp.body, resp.content_type, resp.url)
        if isinstance(outcome, NotArticle):
            if outcome.blocked or row.versions:
                self._failed(row, rules, f"no version: {outcome.reason}", resp)
            else:
                self._skipped(row, rules, outcome.reason, resp)
            return
        await self._extracted(row, rules, resp, outcome)

    async def _extract(self, body: bytes, content_type: str | None, url: str) -> Extraction | NotArticle:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self.pool.get(), extract_page, body, content_type, url)
        except concurrent.futures.process.BrokenProcessPool:
            self.pool.broken()
            return NotArticle("the extractor crashed on this page", blocked=True)

    # -- outcomes -------------------------------------------------------------------------

    async def _extracted(self, row: ArticleRow, rules: Any, resp: Response, found: Extraction) -> None:
        identified = self._identify(row, resp, found)
        if identified is None:
            return
        row = identified
        if row.id in self.handled:
            return
        self.handled.add(row.id)
        if not found.headline_meta and row.versions and row.headline:
            self._failed(row, rules, "no version: the page no longer names its headline", resp)
            return
        text_fp = fingerprint(found.title, found.paragraphs)
        previous: ArticleText | None = None
        if row.versions and not row.removed and row.extractor != found.extractor:
            previous = await self._reextract(row, resp, found, text_fp)
            if previous is None:
                return  # the whole difference was the extractor's
        if text_fp == row.fingerprint and not row.removed:
            self._unchanged(row, rules, resp, headline_meta=found.headline_meta)
            return
        if row.fingerprint and text_fp != row.fingerprint and self.state.text_times(row.id, text_fp) >= 2:
            # A text this article has had twice already: a flip-flop, not news.
            self._unchanged(row, rules, resp, headline_meta=found.headline_meta)
            return
        if row.versions == 0:
            change = Change.NEW
        elif row.removed:
            change = Change.RESTORED
        else:
            change = Change.EDIT
        self._commit(row, change, _document(row, found), text_fp, resp, found.headline_meta, previous)

    async def _reextract(
        self, row: ArticleRow, resp: Response, found: Extraction, text_fp: str
    ) -> ArticleText | None:
        """The extractor changed since the latest version: keep its re-flow apart from edits.

        The page behind the latest version is extracted again with the current
        extractor; if that reads differently, a `reextract` commit records it first,
        and the fresh page is then compared with the re-extracted text. Without the
        stored page, a fresh page with the same words is a re-extraction; different
        words are an edit. Returns the text to compare with, or None when the
        fresh page was committed as the re-extraction itself.
        """
        latest = self._previous_text(row)
        stored = self.pages.load(row.sid) if row.sid else None
        if stored is not None:
            again = await self._extract(stored.body, stored.content_type, stored.url)
            if isinstance(again, Extraction) and latest is not None:
                redone = _document(row, again)
                if document.render(redone) != document.render(latest):
                    again_fp = fingerprint(again.title, again.paragraphs)
                    self._commit(row, Change.REEXTRACT, redone, again_fp, None, again.headline_meta, latest)
                    row.fingerprint = again_fp
                else:
                    row.extractor = found.extractor
                return redone
            row.extractor = found.extractor  # the stored page is no help; do not try again
            return latest
        if latest is not None and same_words(
            (found.title, found.paragraphs), (latest.title, latest.paragraphs)
        ):
            fresh = _document(row, found)
            if document.render(fresh) != document.render(latest):
                self._advance(row, rules_for(self.settings, row), resp)
                self._commit(row, Change.REEXTRACT, fresh, text_fp, resp, found.headline_meta, latest)
                return None
        row.extractor = found.extractor
        return latest

    async def reextract(self, row: ArticleRow) -> None:
        """`journal reextract`: the latest version again, from the stored page, else refetched."""
        stored = self.pages.load(row.sid) if row.sid else None
        if stored is None or row.removed:
            await self._check(row, conditional=False)
            return
        again = await self._extract(stored.body, stored.content_type, stored.url)
        latest = self._previous_text(row)
        if not isinstance(again, Extraction) or latest is None:
            reason = again.reason if isinstance(again, NotArticle) else "no text on record"
            self.summary.fail(row.source, row.url, f"cannot re-extract: {reason}")
            return
        redone = _document(row, again)
        self.handled.add(row.id)
        if document.render(redone) == document.render(latest):
            row.extractor = again.extractor
            self._save(row)
            self.summary.count(row.source, "unchanged")
            return
        fp = fingerprint(again.title, again.paragraphs)
        self._commit(row, Change.REEXTRACT, redone, fp, None, again.headline_meta, latest)

    def _identify(self, row: ArticleRow, resp: Response, found: Extraction | None) -> ArticleRow | None:
        """Record the final URL and the page's canonical URL as aliases of the article.

        When a not-yet-recorded article turns out to be one we already have (two feed
        links, one article), it is merged into that one.
        """
        urls = []
        for url in (resp.url, found.canonical if found else None):
            if url:
                try:
                    urls.append(canonical(url))
                except BadURL:
                    continue
        for url in urls:
            owner = self.state.article_by_alias(url)
            if owner is not None and owner.id != row.id:
                if row.versions == 0:
                    for alias in self.state.aliases(row.id):
                        self.state.db.execute(
                            "UPDATE aliases SET article = ? WHERE key = ?", (owner.id, alias)
                        )
                    self.state.db.execute("DELETE FROM articles WHERE id = ?", (row.id,))
                    if owner.id in self.handled:
                        return None
                    row = owner
                continue
            self.state.add_alias(url, row.id)
        if urls:
            row.url = urls[0]  # fetch the final URL directly next time
        return row

    def _commit(
        self,
        row: ArticleRow,
        change: Change,
        doc: ArticleText,
        text_fp: str | None,
        resp: Response | None,
        headline_meta: bool = False,
        previous: ArticleText | None = None,
    ) -> None:
        now = self.clock()
        when = datetime.fromtimestamp(now, UTC)
        if row.path is None:
            url_for_path = doc.url or row.url
            path = article_path(row.source, when, url_for_path, self._taken)
            self.reserved.add(path)
        else:
            path = row.path
        version = row.versions + (0 if change in (Change.REMOVED, Change.REEXTRACT) else 1)
        if previous is None and change in (Change.EDIT, Change.RESTORED):
            previous = self._previous_text(row)
        if change is Change.REMOVED:
            summary = f"removed: the page answered HTTP {resp.status if resp else 404}"
            size = words = None
            data: bytes | None = None
        else:
            delta = text_diff(previous, doc)
            if change is Change.NEW:
                summary, size, words = "first version", None, None
            elif change is Change.REEXTRACT:
                summary, size, words = f"re-extracted with {EXTRACTOR}: {delta.summary()}", None, None
            else:
                prefix = "back after removal; " if change is Change.RESTORED else ""
                summary, size, words = prefix + delta.summary(), delta.size(), delta.words()
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
            extractor=EXTRACTOR if data is not None else None,
        )
        self.writer.commit(message.render(), when, {path: data})
        row.path = path
        self.pending.append(_Pending(row, change, version, now, message.title, text_fp, resp, headline_meta))
        key = {
            Change.NEW: "new",
            Change.EDIT: "changed",
            Change.REMOVED: "removed",
            Change.RESTORED: "restored",
            Change.REEXTRACT: "reextracted",
        }
        self.summary.count(row.source, key.get(change, "changed"))
        self.summary.commits += 1
        if (
            self.writer.pending >= CHECKPOINT_EVERY
            or time.monotonic() - self.last_checkpoint > CHECKPOINT_SECONDS
        ):
            self._checkpoint()

    def _previous_text(self, row: ArticleRow) -> ArticleText | None:
        """The latest text on record (before a removal, for a restored article)."""
        if row.path is None:
            return None
        head = self.archive.head()
        data = self.archive.read(head, row.path) if head else None
        if data is None:
            for revision in reversed(self.archive.revisions(row.path)):
                if revision.blob is not None:
                    data = self.archive.read_blob(revision.blob)
                    break
        return document.parse(data) if data else None

    def _taken(self, path: str) -> bool:
        return path in self.reserved or self.state.path_taken(path)

    def _gone(self, row: ArticleRow, rules: Any, resp: Response) -> None:
        if row.versions and not row.removed and row.id not in self.handled:
            self.handled.add(row.id)
            doc = ArticleText(url=row.url, source=row.source, title=row.title, paragraphs=())
            self._commit(row, Change.REMOVED, doc, None, resp)
            return
        self._failed(
            row,
            rules,
            f"HTTP {resp.status}: the page is gone",
            resp,
            count_as="failed" if not row.removed else "unchanged",
        )

    def _advance(self, row: ArticleRow, rules: Any, resp: Response) -> None:
        """A successful check that found no news: back off, remember the validators."""
        nxt = schedule.after_check(self.clock(), row.wait, rules)
        row.wait, row.next_check = nxt.wait, nxt.at
        row.last_checked = self.clock()
        row.failures, row.last_error, row.validated = 0, None, 1
        _remember_http(row, resp)

    def _unchanged(
        self, row: ArticleRow, rules: Any, resp: Response, headline_meta: bool | None = None
    ) -> None:
        self._advance(row, rules, resp)
        if headline_meta is not None:
            row.headline = int(headline_meta)
        self._save(row)
        self.summary.count(row.source, "unchanged")

    def _skipped(self, row: ArticleRow, rules: Any, reason: str, resp: Response) -> None:
        nxt = schedule.after_check(self.clock(), row.wait, rules)
        row.wait, row.next_check = nxt.wait, nxt.at
        row.last_checked = self.clock()
        row.last_error = f"not an article: {reason}"
        row.validated = 1
        _remember_http(row, resp)
        self._save(row)
        self.summary.count(row.source, "skipped")
        self.reporter.note(f"skipped  {row.source}  {row.url}: not an article ({reason})")

    def _failed(
        self,
        row: ArticleRow,
        rules: Any,
        reason: str,
        resp: Response | None = None,
        count_as: str = "failed",
    ) -> None:
        nxt = schedule.after_check(self.clock(), row.wait, rules)
        row.wait, row.next_check = nxt.wait, nxt.at
        row.last_checked = self.clock()
        row.failures += 1
        row.last_error = reason
        row.validated = 0  # a 304 after a failure proves nothing
        self._save(row)
        self.summary.count(row.source, count_as)
        if count_as == "failed":
            self.summary.fail(row.source, row.url, reason)
            self.reporter.note(f"failed  {row.source}  {row.url}: {reason}")

    def _save(self, row: ArticleRow) -> None:
        if self.state.article(row.id) is not None:
            self.state.save(row)

    # -- durability -----------------------------------------------------------------------

    def _checkpoint(self) -> None:
        """Move the branch, then (and only then) record the new versions in the state."""
        if not self.pending:
            return
        head = self.writer.checkpoint()
        with self.state.transaction():
            for item in self.pending:
                row = item.row
                rules = rules_for(self.settings, row)
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
                    extractor=EXTRACTOR,
                )
                if item.response is not None and item.response.status == 200 and row.sid:
                    self.pages.save(
                        row.sid, item.response.url, item.response.content_type, item.response.body
                    )
                if item.change is not Change.REEXTRACT:
                    # A re-extraction is not news: it leaves the schedule where the check put it.
                    nxt = schedule.after_change(item.when, rules)
                    row.wait, row.next_check = nxt.wait, nxt.at
                    row.last_checked = item.when
                    row.failures, row.last_error, row.validated = 0, None, 1
                if item.response is not None:
                    _remember_http(row, item.response)
                row.headline = int(item.headline_meta)
                self._save(row)
            self.state.set_meta("head", head)
        self.pending = []
        self.last_checkpoint = time.monotonic()

    def _sync_worktree(self) -> None:
        head = self.archive.head()
        if head is None:
            return
        checked_out = self.state.meta("worktree")
        if checked_out is None:
            # A new archive or a fresh clone: git left the files at HEAD.
            self.state.set_meta("worktree", head)
            return
        if checked_out == head:
            return
        try:
            self.archive.sync_worktree(checked_out, head)
        except Exception as exc:  # a conflicting local edit: history is safe, say so
            self.reporter.note(
                f'the working tree was not updated ({exc}); run "git -C {self.archive.root} status"'
            )
            return
        self.state.set_meta("worktree", head)

    def _upkeep(self) -> None:
        """The cheap part of maintenance, when due: commit-graph layers, fewer packs."""
        graphed = self.state.meta("graph_head")
        head = self.archive.head()
        if head is None or head == graphed:
            return
        if self.summary.commits >= 100 or graphed is None or self.archive.pack_count() > 20:
            try:
                self.archive.write_commit_graph()
                if self.archive.pack_count() > 20:
                    self.archive.git("repack", "-d", "-q", "--geometric=2")
            except Exception as exc:  # upkeep failing must not fail the run
                self.reporter.note(f"maintenance skipped: {exc}")
                return
            self.state.set_meta("graph_head", head)


def _merge(total: Summary, part: Summary) -> None:
    for source, counter in part.counts.items():
        total.counts.setdefault(source, Counter()).update(counter)
    total.failures += part.failures
    total.feeds_polled += part.feeds_polled
    total.feeds_failed += part.feeds_failed
    total.discovered += part.discovered
    total.commits += part.commits
    total.head = part.head


def rules_for(settings: Settings, row: ArticleRow) -> ScheduleSettings:
    source = settings.source(row.source)
    return source.schedule if source else settings.schedule


def _document(row: ArticleRow, found: Extraction) -> ArticleText:
    return ArticleText(
        url=row.url,
        source=row.source,
        title=found.title,
        paragraphs=found.paragraphs,
        published=found.published,
        byline=found.byline,
    )


def _remember_http(row: ArticleRow, resp: Response | None) -> None:
    if resp is None or resp.status != 200:
        return
    row.etag, row.last_modified, row.body_hash = resp.etag, resp.last_modified, resp.body_hash


def _wanted(source: Source, url: str) -> bool:
    if source.include and not any(re.search(p, url) for p in source.include):
        return False
    return not any(re.search(p, url) for p in source.exclude)


def _load_settings(archive: Archive) -> Settings:
    return parse_config(archive.read_config(), where=str(archive.root / "journal.toml"))
