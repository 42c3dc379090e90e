"""The update pipeline (DESIGN §7): one pass, or passes until stopped.

```
due feeds ─▶ poll (conditional GET) ─▶ entries ─▶ identity (guid, link, aliases) ─┐
due articles ◀─────────────────────────────────────────────────────────────────────┘
   ─▶ fetch (concurrent; per-host limit and delay; robots.txt; deadline; size cap)
   ─▶ extract + normalise (worker processes, every core; skipped for a byte-identical body)
   ─▶ compare with the latest version ─▶ one writer (git fast-import) ─▶ checkpoint
   ─▶ state updated (only after the branch has moved)
```

polling.py polls feeds, checker.py decides about each article, ledger.py writes;
this module schedules passes, picks what is due, and keeps the working tree and
the commit-graph current. A crash at any point loses at most the versions not yet
checkpointed (they are fetched again next run) and duplicates nothing: the state
catches up from git at the start of each pass.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from journal import disk, index, schedule
from journal.archive import Archive
from journal.checker import Checker
from journal.config import parse as parse_config
from journal.extractor import identity
from journal.fetch import Fetcher
from journal.interrupt import Interrupt
from journal.ledger import Ledger
from journal.lock import WriterLock
from journal.models import Settings, Source
from journal.outbox import Outbox
from journal.polling import FeedPoller
from journal.sources import commit_hand_edits
from journal.state import ArticleRow, State
from journal.summary import QuietReporter, Reporter, Summary
from journal.urls import host_of
from journal.workers import ExtractorPool

if TYPE_CHECKING:
    from journal.courier import Courier

__all__ = ["Options", "Reporter", "Summary", "run"]

PROGRESS_EVERY = 10.0  # seconds between progress lines (cron logs show a long run moving)
NOTIFY_SECONDS = 60.0  # at the end of a run, time to send what is due; the rest waits for the next


@dataclass(frozen=True)
class Options:
    sources: tuple[str, ...] = ()  # only these sources (all when empty)
    force: bool = False  # check everything now, ignoring the schedule
    articles: tuple[int, ...] = ()  # check exactly these articles now
    reextract: bool = False  # re-extract latest versions made by another extractor


def run(
    archive: Archive,
    options: Options,
    reporter: Reporter | None = None,
    clock: Callable[[], float] = time.time,
    watch: bool = False,
    max_cycles: int | None = None,
    progress_every: float | None = None,
) -> Summary:
    """One pass (or, with `watch`, passes until stopped). Holds the writer lock throughout.
    Every `progress_every` seconds of a pass the reporter hears how it is going."""
    reporter = reporter or QuietReporter()
    with disk.guard(archive.root), WriterLock(archive.state_dir):
        pool = ExtractorPool()
        try:
            for note in archive.recover():
                reporter.note(note)
            state = State.open(archive.state_dir, reporter.note)
            try:
                every = progress_every or PROGRESS_EVERY
                outbox = Outbox.of(archive, state, clock)
                updater = _Updater(archive, state, options, reporter, clock, pool, every, outbox)
                return asyncio.run(updater.main(watch, max_cycles))
            finally:
                state.close()
        finally:
            pool.close()


class _Updater:
    def __init__(
        self,
        archive: Archive,
        state: State,
        options: Options,
        reporter: Reporter,
        clock: Callable[[], float],
        pool: ExtractorPool,
        progress_every: float,
        outbox: Outbox | None = None,
    ):
        self.archive = archive
        self.outbox = outbox
        self.state = state
        self.options = options
        self.reporter = reporter
        self.clock = clock
        self.pool = pool
        self.stopping = Interrupt()
        self.progress_every = progress_every
        self._counted = False  # the articles phase of this pass has begun
        self._queued = 0  # articles of this pass handed out and not yet done

    async def main(self, watch: bool, max_cycles: int | None) -> Summary:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            # Not possible off the main thread (tests drive the updater from threads).
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self._stop, sig)
        total = Summary(started=self._now())
        passes = 0
        courier = self._courier()
        sending = asyncio.create_task(courier.run()) if courier else None
        try:
            while True:
                total.add(await self.one_pass())
                passes += 1
                if courier and watch:
                    await courier.round(digests=True)
                if not watch or self.stopping.is_set() or passes == max_cycles:
                    break
                await self._sleep_until_due()
                if self.stopping.is_set():
                    break
        finally:
            if courier and sending:
                courier.stop()
                await sending  # lets a message in flight be recorded
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.remove_signal_handler(sig)
        if courier:
            # Stopped by a signal: a short grace, whoever stops us may not wait a minute.
            grace = NOTIFY_SECONDS if not self.stopping.is_set() else 5.0
            total.notifications = await courier.finish(grace)
        total.finished = self._now()
        total.interrupted = self.stopping.is_set()
        return total

    def _courier(self) -> Courier | None:
        if self.outbox is None:
            return None
        from journal.courier import Courier  # Apprise is loaded only when there are targets

        settings = parse_config(self.archive.read_config(), where=str(self.archive.root / "journal.toml"))
        return Courier(self.archive, self.outbox, settings.feed_base_url, self.reporter, self.clock)

    def _stop(self, sig: int) -> None:
        if self.stopping.is_set():
            raise KeyboardInterrupt  # a second signal: leave now, the last checkpoint stands
        self.reporter.note(
            f"{signal.Signals(sig).name}: stopping; committing the pages already fetched "
            "(a second Ctrl-C leaves at once)"
        )
        self.stopping.set()

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    async def _sleep_until_due(self) -> None:
        upcoming = [t for t in (self.state.next_due(), self.state.next_poll()) if t is not None]
        delay = min(max(min(upcoming) - self.clock(), 1.0), 3600.0) if upcoming else 60.0
        self.reporter.note(f"sleeping {schedule.human(delay)} until the next check is due")
        await self.stopping.wait(delay)

    async def one_pass(self) -> Summary:
        settings = parse_config(self.archive.read_config(), where=str(self.archive.root / "journal.toml"))
        summary = Summary(started=self._now())
        if commit_hand_edits(self.archive, self._now()):
            self.reporter.note("committed the hand edits of journal.toml as a configuration commit")
        self.state.forget_feeds(settings.feed_urls())
        caught = index.catch_up(self.archive, self.state, settings, self.clock(), outbox=self.outbox)
        if caught:
            self.reporter.note(f"recorded {caught} commits that the state had missed")
        self._sync_worktree()
        sources = self._sources(settings)
        ledger = Ledger(
            self.archive, self.state, settings, summary, self.clock, self.outbox, self.reporter.note
        )
        try:
            with self.state.batch():
                tickers = [
                    asyncio.create_task(self._commit_state_every(1.0)),
                    asyncio.create_task(self._progress(summary)),
                ]
                try:
                    await self._fetch_and_check(settings, sources, ledger, summary)
                finally:
                    for ticker in tickers:
                        ticker.cancel()
            ledger.close()
        except BaseException:
            # Whatever was checkpointed stands; the rest is fetched again next run.
            ledger.close(commit=False)
            raise
        finally:
            self._sync_worktree()
        self._upkeep(summary)
        summary.finished = self._now()
        summary.head = self.archive.head()
        summary.next_poll, summary.next_check = self.state.next_poll(), self.state.next_due()
        return summary

    async def _commit_state_every(self, seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)
            self.state.commit()

    async def _progress(self, summary: Summary) -> None:
        while True:
            await asyncio.sleep(self.progress_every)
            totals = summary.totals()
            self.reporter.progress(
                f"progress: {sum(totals.values())} checked ({totals['new']} new, {totals['changed']} changed, "
                f"{totals['failed']} failed), {self._queued} queued; "
                f"{summary.feeds_polled} feed(s) polled, {summary.feeds_failed} failed"
            )

    async def _fetch_and_check(
        self, settings: Settings, sources: list[Source], ledger: Ledger, summary: Summary
    ) -> None:
        stopping = self.stopping
        async with Fetcher(settings.fetch, robots=self.state, clock=self.clock) as fetcher:
            checker = Checker(
                self.state, settings, fetcher, self.pool, ledger, summary, self.reporter, self.clock, stopping
            )
            slots = _Slots(settings.fetch.concurrency, settings.fetch.per_host)
            self._counted = False
            if self.options.reextract:
                await self._each(self._stale(sources), checker.reextract, slots)
            elif self.options.articles:
                await self._each(self._chosen(), checker.check, slots)
            else:
                poller = FeedPoller(
                    self.state, fetcher, self.pool, summary, self.reporter, self.clock, stopping
                )

                async def check(source: Source) -> None:
                    if not stopping.is_set():
                        await self._each(self._due(source), checker.check, slots)

                await poller.poll(sources, self.options.force, then=check)

    # -- what to check ---------------------------------------------------------------

    def _sources(self, settings: Settings) -> list[Source]:
        wanted = set(self.options.sources)
        return [s for s in settings.sources if not wanted or s.name in wanted]

    def _chosen(self) -> list[ArticleRow]:
        found = [self.state.article(i) for i in self.options.articles]
        return [r for r in found if r is not None]

    def _due(self, source: Source) -> list[ArticleRow]:
        if self.options.force:
            return self.state.due(source.name, float("inf"), 10**9)
        return self.state.due(source.name, self.clock(), source.schedule.max_per_source)

    def _stale(self, sources: list[Source]) -> list[ArticleRow]:
        if self.options.articles:
            return [r for r in self._chosen() if r.versions]
        return [r for s in sources for r in self.state.stale_extractions(identity(s.rules), s.name)]

    async def _each(
        self, rows: list[ArticleRow], work: Callable[[ArticleRow], Awaitable[None]], slots: _Slots
    ) -> None:
        """Run `work` on each row, as many at once as `slots` allows. Called once per
        source as its feeds come in: the pass's article count grows with each call."""
        if self._counted:
            self.reporter.extend("articles", len(rows))
        else:
            self.reporter.phase("articles", len(rows))
            self._counted = True

        async def one(row: ArticleRow) -> None:
            try:
                async with slots.host(row.url), slots.pages:
                    if self.stopping.is_set():
                        return
                    try:
                        await work(row)
                    finally:
                        self.reporter.advance("articles")
            finally:
                self._queued -= 1

        self._queued += len(rows)
        await asyncio.gather(*(one(row) for row in rows))

    # -- upkeep ------------------------------------------------------------------------

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
        locked = self.archive.index_locked()
        if locked:  # never taken from a live git: the files catch up on a later run
            self.reporter.note(f"the working tree was not updated: {locked}; the next run updates it")
            return
        try:
            self.archive.sync_worktree(checked_out, head)
        except Exception as exc:  # a conflicting local edit: history is safe, say so
            self.reporter.note(
                f'the working tree was not updated ({exc}); run "git -C {self.archive.root} status"'
            )
            return
        self.state.set_meta("worktree", head)

    def _upkeep(self, summary: Summary) -> None:
        """The cheap part of maintenance, when due: commit-graph layers, fewer packs."""
        graphed = self.state.meta("graph_head")
        head = self.archive.head()
        if head is None or head == graphed:
            return
        if summary.commits >= 100 or graphed is None or self.archive.pack_count() > 20:
            try:
                self.archive.write_commit_graph()
                if self.archive.pack_count() > 20:
                    self.archive.git("repack", "-d", "-q", "--geometric=2")
            except Exception as exc:  # upkeep failing must not fail the run
                self.reporter.note(f"maintenance skipped: {exc}")
                return
            self.state.set_meta("graph_head", head)


class _Slots:
    """Pages in flight in a pass (`concurrency`), taken by at most `per_host` pages of
    one host at a time: a page waiting for its turn at a busy host would otherwise hold
    a slot, and a deep queue at one host would hold up every other host."""

    def __init__(self, concurrency: int, per_host: int):
        self.pages = asyncio.Semaphore(concurrency)
        self._per_host = per_host
        self._hosts: dict[str, asyncio.Semaphore] = {}

    def host(self, url: str) -> asyncio.Semaphore:
        name = host_of(url)
        if name not in self._hosts:
            self._hosts[name] = asyncio.Semaphore(self._per_host)
        return self._hosts[name]
