"""Polling feeds: conditional GET on their own interval, entries turned into articles."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable

from journal.errors import FeedError, FetchError
from journal.fetch import Fetcher
from journal.interrupt import Interrupt, Interrupted
from journal.models import FeedEntry, Source
from journal.normalize import single_line
from journal.schedule import human
from journal.state import ArticleRow, FeedRow, State
from journal.summary import Reporter, Summary
from journal.urls import BadURL, canonical
from journal.workers import ExtractorPool

ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"
MAPS_PER_POLL = 3  # maps of a sitemap index read at each poll, most recent first
MAP_DEPTH = 2  # an index of indexes is followed one level down, no further


class FeedPoller:
    def __init__(
        self,
        state: State,
        fetcher: Fetcher,
        pool: ExtractorPool,
        summary: Summary,
        reporter: Reporter,
        clock: Callable[[], float],
        interrupt: Interrupt,
    ):
        self.state = state
        self.fetcher = fetcher
        self.pool = pool
        self.summary = summary
        self.reporter = reporter
        self.clock = clock
        self.interrupt = interrupt

    async def poll(
        self,
        sources: list[Source],
        force: bool,
        then: Callable[[Source], Awaitable[None]] | None = None,
    ) -> None:
        """Register tracked URLs, then poll every due feed of `sources` at once.

        `then(source)` runs as soon as all of that source's feeds are in (so its
        articles are checked while slower feeds of other sources are still coming).
        """
        now = self.clock()
        jobs: dict[str, list[FeedRow]] = {}
        for source in sources:
            for url in source.urls:
                try:
                    self.register(source, FeedEntry(link=canonical(url)), now)
                except BadURL as exc:
                    self.summary.fail(source.name, url, str(exc))
            due = jobs[source.name] = []
            for feed_url in source.feeds:
                row = self.state.feed(feed_url, source.name)
                if force or row.next_poll is None or row.next_poll <= now:
                    due.append(row)
        self.reporter.phase("feeds", sum(len(rows) for rows in jobs.values()))

        async def one_source(source: Source) -> None:
            await asyncio.gather(*(self._poll_one(source, row) for row in jobs[source.name]))
            if then is not None:
                await then(source)

        await asyncio.gather(*(one_source(source) for source in sources))

    async def _poll_one(self, source: Source, row: FeedRow, depth: int = 0) -> None:
        """Poll one feed, or one map of a sitemap index (`depth` > 0: read when the index
        is, never on a schedule of its own)."""
        now = self.clock()
        row.last_polled = now
        row.next_poll = now + source.schedule.feed_interval if depth == 0 else None
        try:
            trusted = not row.failures  # validators prove nothing after a failure
            resp = await self.interrupt.race(
                self.fetcher.get(
                    row.url,
                    etag=row.etag if trusted else None,
                    last_modified=row.last_modified if trusted else None,
                    accept=ACCEPT,
                    html_only=False,
                )
            )
            if resp.status in (404, 410):
                raise FeedError(f"HTTP {resp.status}: the feed is gone; check its address")
            if resp.status != 304 and resp.body_hash != row.body_hash:
                result = await self.pool.parse_feed(resp.body, resp.url, resp.content_type)
                with self.state.transaction():
                    for entry in result.entries:
                        self.register(source, entry, now)
                if result.problem:
                    self.reporter.note(f"feed {row.url} ({source.name}): partly unreadable: {result.problem}")
                row.body_hash = resp.body_hash
                row.maps = "\n".join(result.maps[:MAPS_PER_POLL]) or None
            row.etag, row.last_modified = resp.etag, resp.last_modified
            row.failures, row.last_error = 0, None
        except Interrupted:
            return  # not polled: it stays due for the next run
        except Exception as exc:  # whatever one feed does is that feed's failure
            reason = str(exc) if isinstance(exc, FetchError | FeedError) else f"{type(exc).__name__}: {exc}"
            reason = single_line(reason, 300)
            row.failures += 1
            row.last_error = reason
            self.summary.feeds_failed += 1
            self.summary.fail(source.name, row.url, reason, feed=True)
            self.reporter.note(
                f"feed failed  {source.name}  {row.url}: {reason}; next try in "
                f'{human(source.schedule.feed_interval)}, or now with "journal update --force"'
            )
        self.summary.feeds_polled += 1
        self.state.save_feed(row)
        self.reporter.advance("feeds")
        if row.maps and depth < MAP_DEPTH:
            await self._poll_maps(source, row.maps.split("\n"), depth + 1)

    async def _poll_maps(self, source: Source, urls: list[str], depth: int) -> None:
        """The maps a sitemap index lists, the most recent few (`MAPS_PER_POLL`), each
        polled conditionally like a feed, also when the index itself is unchanged: an
        index rarely changes when the news map it lists does."""
        self.reporter.extend("feeds", len(urls))
        rows = [self.state.feed(url, source.name) for url in urls]
        await asyncio.gather(*(self._poll_one(source, row, depth) for row in rows))

    def register(self, source: Source, entry: FeedEntry, now: float) -> None:
        """Find or create the article a feed entry stands for; remember every alias.

        The guid is the identity when there is one: a feed that gives a known guid a new
        link does not make a second article, it moves the article (`_move`).
        """
        if not wanted(source, entry.link):
            return
        guid_key = f"guid {source.name} {entry.guid}" if entry.guid else None
        row = self.state.article_by_alias(guid_key) if guid_key else None
        if row is not None and row.url != entry.link and self.state.alias_owner(entry.link) is None:
            self._move(row, entry.link, now)
        if row is None:
            row = self.state.article_by_alias(entry.link)
        if row is None:
            row = self.state.add_article(source.name, entry.link, now)
            self.summary.discovered += 1
        elif entry.digest:
            self._changed_in_feed(row, source, entry.digest, now)
        self.state.add_alias(entry.link, row.id)
        if guid_key:
            self.state.add_alias(guid_key, row.id)
        if entry.digest:
            self.state.add_alias(f"said {row.id} {entry.digest}", row.id)

    def _changed_in_feed(self, row: ArticleRow, source: Source, digest: str, now: float) -> None:
        """The feed says something new about an article it listed before (its title, its
        summary or its text changed): check the article now, not when its wait is over,
        but no sooner after its last check than the schedule ever would (`first_wait`).
        A retired article stays retired."""
        if not row.versions or row.next_check is None or self.state.alias_owner(f"said {row.id} {digest}"):
            return
        soonest = max(now, (row.last_checked or now) + source.schedule.first_wait)
        if soonest < row.next_check:
            row.next_check = soonest
            self.state.save(row)

    def _move(self, row: ArticleRow, link: str, now: float) -> None:
        """The feed lists a known article at an address it never had (a story's section
        moved, its slug was rewritten): the same article, at a new address. It is checked
        there at once, in the same file with the same history; the old address stays an
        alias. Validators of the old address prove nothing about the new one."""
        row.url = link
        row.etag = row.last_modified = row.body_hash = None
        row.validated = 0
        row.next_check = now
        self.state.save(row)


def wanted(source: Source, url: str) -> bool:
    """The source's include/exclude URL patterns."""
    if source.include and not any(re.search(p, url) for p in source.include):
        return False
    return not any(re.search(p, url) for p in source.exclude)
