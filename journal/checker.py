"""Checking one article: fetch, extract, decide what (if anything) is a new version.

Every decision runs on the event loop's thread between awaits, so the state
database and the ledger have one user at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from journal import captions, document, evidence, schedule
from journal.errors import FetchError
from journal.extractor import identity
from journal.fetch import Fetcher, Response
from journal.interrupt import Interrupt, Interrupted
from journal.ledger import Ledger, rules_for
from journal.models import ArticleText, Change, Extraction, NotArticle, ScheduleSettings, Settings
from journal.normalize import fingerprint
from journal.pages import PageStore
from journal.state import ArticleRow, State
from journal.summary import Reporter, Summary
from journal.urls import BadURL, canonical
from journal.workers import ExtractorPool, WorkerDied

_OTHER_ADDRESSES = 3  # tried before an article that answers 404 is recorded as removed
# A page that wavers between texts within a day is its delivery (caches, A/B tests); a
# text the newsroom brings back days later is news again.
FLIP_FLOP_SECONDS = 24 * 3600


class Checker:
    def __init__(
        self,
        state: State,
        settings: Settings,
        fetcher: Fetcher,
        pool: ExtractorPool,
        ledger: Ledger,
        summary: Summary,
        reporter: Reporter,
        clock: Callable[[], float],
        interrupt: Interrupt,
    ):
        self.state = state
        self.settings = settings
        self.fetcher = fetcher
        self.pool = pool
        self.ledger = ledger
        self.summary = summary
        self.reporter = reporter
        self.clock = clock
        self.interrupt = interrupt
        self.pages = PageStore(ledger.archive.state_dir)
        self.handled: set[int] = set()  # articles decided in this pass

    async def check(self, row: ArticleRow, conditional: bool = True) -> None:
        """One scheduled check of an article."""
        rules = rules_for(self.settings, row)
        page_rules = self.settings.page_rules(row.source)
        # Validators prove "unchanged" only after a good check, and only for text
        # that the current extractor (and the source's page rules) made.
        trusted = (
            conditional
            and bool(row.validated)
            and not row.removed
            and row.extractor in (None, identity(page_rules))
        )
        try:
            resp = await self.interrupt.race(
                self.fetcher.get(
                    row.url,
                    etag=row.etag if trusted else None,
                    last_modified=row.last_modified if trusted else None,
                )
            )
        except FetchError as exc:
            self._failed(row, rules, str(exc))
            return
        except Interrupted:
            return  # not checked: it stays due for the next run
        gone = None
        if resp.status in (404, 410) and row.versions and not row.removed:
            try:
                gone, resp = resp, await self.interrupt.race(self._elsewhere(row, resp))
            except Interrupted:
                return
        if resp.status in (404, 410):
            self._gone(row, rules, resp)
            return
        if resp.status == 304 or (trusted and resp.body_hash == row.body_hash):
            self._unchanged(row, rules, resp)  # a byte-identical page is not extracted again
            return
        if self._renders(row):
            try:
                resp = await self.fetcher.render(resp)  # only a page that changed is rendered
            except FetchError as exc:
                self._failed(row, rules, str(exc))
                return
        outcome = await self.pool.extract(resp.body, resp.content_type, resp.url, page_rules)
        if isinstance(outcome, NotArticle):
            if gone is not None:  # the other address shows no article either
                self._gone(row, rules, gone)
            elif outcome.blocked or row.versions:
                self._failed(row, rules, f"no version: {outcome.reason}", resp)
            else:
                self._skipped(row, rules, outcome.reason, resp)
            return
        try:
            await self._extracted(row, rules, resp, outcome)
        except WorkerDied as exc:  # reading a page's words for the comparison
            self._failed(row, rules, f"no version: the extractor crashed on this page ({exc})", resp)

    async def reextract(self, row: ArticleRow) -> None:
        """`journal reextract`: the latest version again, from the stored page, else refetched."""
        stored = self.pages.load(row.sid) if row.sid else None
        if stored is None or row.removed:
            await self.check(row, conditional=False)
            return
        page_rules = self.settings.page_rules(row.source)
        again = await self.pool.extract(stored.body, stored.content_type, stored.url, page_rules)
        latest = self.ledger.latest_text(row)
        if not isinstance(again, Extraction) or latest is None:
            reason = again.reason if isinstance(again, NotArticle) else "no text on record"
            self.summary.fail(row.source, row.url, f"cannot re-extract: {reason}")
            return
        redone = _document(row, again)
        self.handled.add(row.id)
        if document.render(redone) == document.render(latest):
            row.extractor = again.extractor
            self.state.save(row)
            self.summary.count(row.source, "unchanged")
            return
        fp = again.fingerprint
        self.ledger.commit(row, Change.REEXTRACT, redone, fp, None, again.headline_meta, latest)

    async def _extracted(
        self, row: ArticleRow, rules: ScheduleSettings, resp: Response, found: Extraction
    ) -> None:
        identified = self._identify(row, resp, found)
        if identified is None or identified.id in self.handled:
            return
        row = identified
        self.handled.add(row.id)
        if not found.headline_meta and row.versions and row.headline:
            self._failed(row, rules, "no version: the page no longer names its headline", resp)
            return
        text_fp = found.fingerprint
        previous: ArticleText | None = None
        if row.versions and not row.removed and row.extractor != found.extractor:
            previous = await self._upgrade(row, found)
        doc = _document(row, found)
        if row.versions and not row.removed and text_fp != row.fingerprint:
            previous = previous or self.ledger.latest_text(row)
            if previous is not None:
                settled = await self._settle(row, rules, resp, found, previous)
                if settled is None:
                    return  # the whole difference was in the reading, not in the article
                previous, doc = settled
                text_fp = fingerprint(doc.title, doc.paragraphs)
        if text_fp == row.fingerprint and not row.removed:
            self._unchanged(row, rules, resp, headline_meta=found.headline_meta)
            return
        if (
            row.fingerprint
            and text_fp != row.fingerprint
            and flip_flop(self.state, row, text_fp, self.clock())
        ):
            self._unchanged(row, rules, resp, headline_meta=found.headline_meta)
            return
        change = Change.NEW if row.versions == 0 else Change.RESTORED if row.removed else Change.EDIT
        self.ledger.commit(row, change, doc, text_fp, resp, found.headline_meta, previous)

    async def _upgrade(self, row: ArticleRow, found: Extraction) -> ArticleText | None:
        """The extractor changed since the latest version: keep its re-flow apart from edits.

        The page behind the latest version is extracted again with the current
        extractor; if that reads differently, a `reextract` commit records it, and the
        fresh page is then compared with the re-extracted text. Returns the text to
        compare with.
        """
        latest = self.ledger.latest_text(row)
        stored = self.pages.load(row.sid) if row.sid else None
        row.extractor = found.extractor  # one try per article is enough
        if latest is None:
            return None
        if stored is None:
            return self._adopt_captions(row, found, latest)
        page_rules = self.settings.page_rules(row.source)
        again = await self.pool.extract(stored.body, stored.content_type, stored.url, page_rules)
        if not isinstance(again, Extraction):
            return latest
        redone = _document(row, again)
        if document.render(redone) != document.render(latest):
            self._reflowed(row, redone, again.fingerprint, again.headline_meta, latest)
        return redone

    def _adopt_captions(self, row: ArticleRow, found: Extraction, latest: ArticleText) -> ArticleText:
        """A version written before captions were read, and no page behind it to read
        again: the fresh page's captions join it as a `reextract` (the older extractor's
        silence about them says nothing), so they are never taken for an edit."""
        lines = captions.adopt(found.paragraphs, latest.paragraphs)
        if lines is latest.paragraphs:
            return latest
        adopted = replace(latest, paragraphs=lines)
        return self._reflowed(row, adopted, fingerprint(adopted.title, lines), found.headline_meta, latest)

    def _reflowed(
        self, row: ArticleRow, text: ArticleText, fp: str, headline_meta: bool, latest: ArticleText
    ) -> ArticleText:
        """Commit `text` as a `reextract` of `latest` (how the article is read changed, not
        the article), and compare what follows with it."""
        self.ledger.commit(row, Change.REEXTRACT, text, fp, None, headline_meta, latest)
        row.fingerprint = fp
        return text

    async def _settle(
        self,
        row: ArticleRow,
        rules: ScheduleSettings,
        resp: Response,
        found: Extraction,
        previous: ArticleText,
    ) -> tuple[ArticleText, ArticleText] | None:
        """Tell what the newsroom changed from what only the reading of the page changed
        (`journal.evidence`), with the words of the fresh page and, when it is kept, of
        the page behind the latest version.

        - The same words in the same order, laid out in other paragraphs: a re-flow,
          committed as `reextract` (returns None).
        - Paragraphs the extractor reads now that were on the page behind the latest
          version all along: committed first as a `reextract`.
        Returns the text to compare with and the fresh text, in which every difference of
        the reading is undone (a paragraph the extractor left out but still on the page
        stays; a credit glued to a paragraph comes off it; a social headline is not the
        title).
        """
        stored = self.pages.load(row.sid) if row.sid else None
        new_page = await self.pool.page_text(resp.body, resp.content_type)
        old_page = await self.pool.page_text(stored.body, stored.content_type) if stored else None
        decision = evidence.decide(previous, old_page, _document(row, found), new_page)
        if decision.reflow:
            if document.render(decision.text) != document.render(previous):
                self._advance(row, rules, resp)
                fp = fingerprint(decision.text.title, decision.text.paragraphs)
                self.ledger.commit(
                    row, Change.REEXTRACT, decision.text, fp, resp, found.headline_meta, previous
                )
                return None
            return previous, decision.text
        if decision.interim is not None:
            picked_up = decision.interim
            fp = fingerprint(picked_up.title, picked_up.paragraphs)
            previous = self._reflowed(row, picked_up, fp, found.headline_meta, previous)
        return previous, decision.text

    def _renders(self, row: ArticleRow) -> bool:
        """Whether the article's source is read through a browser (`fetch = "browser"`)."""
        source = self.settings.source(row.source)
        return source is not None and source.browser

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
            owner_id = self.state.alias_owner(url)
            if owner_id == row.id:
                continue
            owner = self.state.article(owner_id) if owner_id is not None else None
            if owner is not None:
                if row.versions == 0:
                    self.state.merge_into(row.id, owner.id)
                    if owner.id in self.handled:
                        return None
                    row = owner
                continue
            self.state.add_alias(url, row.id)
        if urls:
            row.url = urls[0]  # fetch the final URL directly next time
        return row

    async def _elsewhere(self, row: ArticleRow, gone: Response) -> Response:
        """An address of the article answered 404/410: an article is removed only when
        none of the addresses it was seen under (most recent first: the feed's latest
        link, an earlier one) answers. The first that does is where it lives now."""
        for url in [u for u in self.state.addresses(row.id) if u != row.url][:_OTHER_ADDRESSES]:
            try:
                resp = await self.fetcher.get(url)
            except FetchError:
                continue
            if resp.status == 200:
                return resp
        return gone

    # -- outcomes that are not versions --------------------------------------------------

    def _gone(self, row: ArticleRow, rules: ScheduleSettings, resp: Response) -> None:
        if row.versions and not row.removed and row.id not in self.handled:
            self.handled.add(row.id)
            doc = ArticleText(url=row.url, source=row.source, title=row.title, paragraphs=())
            self.ledger.commit(row, Change.REMOVED, doc, None, resp)
            return
        reason = f"HTTP {resp.status}: the page is gone"
        self._failed(row, rules, reason, count_as="failed" if not row.removed else "unchanged")

    def _advance(self, row: ArticleRow, rules: ScheduleSettings, resp: Response) -> None:
        """A successful check that found no news: back off, remember the validators."""
        nxt = schedule.after_check(self.clock(), row.wait, rules)
        row.wait, row.next_check = nxt.wait, nxt.at
        row.last_checked = self.clock()
        row.failures, row.last_error, row.validated = 0, None, 1
        if resp.status == 200:
            row.etag, row.last_modified, row.body_hash = resp.etag, resp.last_modified, resp.body_hash

    def _unchanged(
        self, row: ArticleRow, rules: ScheduleSettings, resp: Response, headline_meta: bool | None = None
    ) -> None:
        self._advance(row, rules, resp)
        if headline_meta is not None:
            row.headline = int(headline_meta)
        self.state.save(row)
        self.summary.count(row.source, "unchanged")

    def _skipped(self, row: ArticleRow, rules: ScheduleSettings, reason: str, resp: Response) -> None:
        self._advance(row, rules, resp)
        row.last_error = f"not an article: {reason}"
        self.state.save(row)
        self.summary.count(row.source, "skipped")
        self.reporter.note(f"skipped  {row.source}  {row.url}: not an article ({reason})")

    def _failed(
        self,
        row: ArticleRow,
        rules: ScheduleSettings,
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
        self.state.save(row)
        self.summary.count(row.source, count_as)
        if count_as == "failed":
            self.summary.fail(row.source, row.url, reason)
            self.reporter.note(f"failed  {row.source}  {row.url}: {reason}")


def _document(row: ArticleRow, found: Extraction, paragraphs: tuple[str, ...] | None = None) -> ArticleText:
    return ArticleText(
        url=row.url,
        source=row.source,
        title=found.title,
        paragraphs=found.paragraphs if paragraphs is None else paragraphs,
        published=found.published,
        byline=found.byline,
    )


def flip_flop(state: State, row: ArticleRow, text_fp: str, now: float) -> bool:
    """Whether a fresh text is the page wavering rather than news: the article has had
    it twice already, the latest time less than a day ago."""
    return state.text_times(row.id, text_fp, since=now - FLIP_FLOP_SECONDS) >= 2
