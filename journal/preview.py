"""`journal preview`: what the updater would make of one page, with nothing written.

The page is fetched by the updater's Fetcher (robots.txt, User-Agent, limits, the
private-address guard, the browser for a `fetch = "browser"` source), extracted by the
extraction workers' own function with the source's page rules, and laid out by
`document.render`: the bytes shown are the bytes a first version would commit. For an
article already in the archive, the fresh text is compared with its latest version
as the updater compares it: by the evidence of the whole page, the page behind the latest
version and the fresh one (`journal.evidence`: words the reading took or left
differently are no edit), then a text it has had twice already; the diff is shown.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace
from pathlib import Path

from journal import document, evidence, pagetext
from journal.checker import flip_flop
from journal.diff import Diff, diff
from journal.errors import ConfigError
from journal.extractor import identity
from journal.fetch import Fetcher, Response
from journal.history import Reader
from journal.models import ArticleText, Extraction, FetchSettings, NotArticle, Settings, Source
from journal.normalize import fingerprint
from journal.pages import PageStore
from journal.state import ArticleRow
from journal.urls import BadURL, canonical, host_of
from journal.workers import extract_page


@dataclass(frozen=True)
class Preview:
    """What the updater would do with one page."""

    url: str  # as the file names it ('' for a file given without its address)
    source: str
    decision: str  # new, edit, restored, reextract, removed, no version, not an article
    reason: str | None  # why there is no version, or what the change is
    file: bytes | None  # the file the updater would commit (None: nothing)
    extractor: str
    article: str | None = None  # short id, when the archive has the article
    version: int | None = None  # the latest version on record
    diff: Diff | None = None  # against the latest version


def preview(
    settings: Settings,
    reader: Reader | None,
    url: str | None,
    page: Path | None = None,
    source: str | None = None,
) -> Preview:
    """Fetch `url` (or read `page`) and decide as the updater would; writes nothing."""
    if url is None and page is None:
        raise ConfigError("Give a URL to preview, or --file PAGE.html.")
    address = ""
    if url is not None:
        try:
            address = canonical(url)
        except BadURL as exc:
            raise ConfigError(f"{exc}; give the page's full http(s) address.") from exc
    row = _tracked(reader, address)
    chosen = _source(settings, source, row, address)
    name = chosen.name if chosen else (source or name_for_host(address))
    rules = chosen.rules if chosen else None
    if page is not None:
        try:
            body = page.read_bytes()
        except OSError as exc:
            raise ConfigError(f"Cannot read {page}: {exc.strerror or exc}.") from exc
        resp = Response(url=address, status=200, body=body)
    else:
        resp = asyncio.run(_fetch(settings.fetch, address, bool(chosen and chosen.browser)))
        address = _final(resp.url, address)
    base = Preview(address, name, "no version", None, None, identity(rules), row.sid if row else None)
    if resp.status in (404, 410):
        if row is not None and row.versions and not row.removed:
            gone = f"HTTP {resp.status}: the file is deleted in a `removed` commit"
            return replace(base, decision="removed", reason=gone, version=row.versions)
        return replace(base, reason=f"HTTP {resp.status}: the page is gone")
    found = extract_page(resp.body, resp.content_type, address, rules)
    if isinstance(found, NotArticle):
        if found.blocked or (row is not None and row.versions):
            return replace(base, reason=found.reason)
        return replace(base, decision="not an article", reason=found.reason)
    doc = ArticleText(
        url=address,
        source=name,
        title=found.title,
        paragraphs=found.paragraphs,
        published=found.published,
        byline=found.byline,
    )
    if row is None or not row.versions or reader is None:
        return replace(base, decision="new", file=document.render(doc))
    return _compare(reader, row, doc, found, resp, base)


def _compare(
    reader: Reader, row: ArticleRow, doc: ArticleText, found: Extraction, resp: Response, base: Preview
) -> Preview:
    """The fresh text against the latest version, as the updater's check compares them."""
    latest, _ = reader.text(row)
    stored = PageStore(reader.archive.state_dir).load(row.sid) if row.sid else None
    old_page = pagetext.read(stored.body, stored.content_type) if stored else None
    judged = evidence.decide(latest, old_page, doc, pagetext.read(resp.body, resp.content_type))
    before = judged.interim or latest
    fresh = judged.text
    delta = diff(before, fresh)
    text_fp = fingerprint(fresh.title, fresh.paragraphs)
    file: bytes | None = document.render(fresh)
    decision, reason = "edit", delta.summary()
    if row.removed:
        decision, reason = "restored", "back after removal; " + reason
    elif not found.headline_meta and row.headline:
        decision, reason, file = "no version", "the page no longer names its headline", None
    elif judged.reflow:
        decision, reason = "reextract", "the same words in the same order, in other paragraphs"
        if file == document.render(latest):
            decision, reason, file = "no version", "the text is the same as the latest version", None
    elif text_fp == row.fingerprint or not judged.version:
        decision, reason, file = "no version", "the text is the same as the latest version", None
        if judged.interim is not None:
            reason = "the newsroom changed nothing; what the reading took differently is a `reextract`"
    elif flip_flop(reader.state, row, text_fp, time.time()):
        decision, reason, file = "no version", "a text this article has had twice already (a flip-flop)", None
    if row.extractor != found.extractor:
        # The updater first reads the page behind the latest version again and commits
        # any re-flow as a `reextract`; the comparison here is with the text as recorded.
        reason += f" (the latest version was read by {row.extractor or 'an older extractor'}: its stored page is read again first)"
    return replace(base, decision=decision, reason=reason, file=file, version=row.versions, diff=delta)


async def _fetch(settings: FetchSettings, url: str, browser: bool) -> Response:
    # No robots cache is written: robots.txt is read afresh, as a first run would.
    async with Fetcher(settings) as fetcher:
        resp = await fetcher.get(url)
        if browser and resp.status == 200:
            resp = await fetcher.render(resp)
        return resp


def _final(url: str, asked: str) -> str:
    """The address after redirects, as the updater records it."""
    try:
        return canonical(url)
    except BadURL:
        return asked


def _tracked(reader: Reader | None, url: str) -> ArticleRow | None:
    if reader is None or not url:
        return None
    row = reader.state.article_by_alias(url)
    return row if row is not None and row.path is not None else None


def _source(settings: Settings, name: str | None, row: ArticleRow | None, url: str) -> Source | None:
    """The source whose rules apply: the one asked for, the article's own, or the one
    `journal track` would file the URL under."""
    if name is not None:
        found = settings.source(name)
        if found is None:
            raise ConfigError(f'No source named "{name}"; "journal source list" shows them.')
        return found
    if row is not None:
        return settings.source(row.source)
    return settings.source(name_for_host(url)) if url else None


def name_for_host(url: str) -> str:
    """The source `journal track` files a URL under: 'www.bbc.co.uk' → 'bbc-co-uk'."""
    from journal.sources import source_name

    return source_name(host_of(url)) if url else "page"
