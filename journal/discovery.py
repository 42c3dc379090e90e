"""What a URL given to `journal source add` is: a feed, a news sitemap, or a web page
(whose feeds and sitemaps are then offered), tried once through the Fetcher.

A site's home page is the address people know; its feeds are announced in the page
(`<link rel="alternate" type="application/rss+xml">`) and its sitemaps in robots.txt
(`Sitemap:` lines). Trying the URL at once turns "my source never finds anything" into
a message at the moment the source is added: an HTML page (with what it offers), an
address that does not answer, or one refused for being private (with the setting that
allows it).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.html

from journal import sitemaps
from journal.errors import ConfigError, FeedError, FetchError
from journal.feeds import parse as parse_feed
from journal.fetch import Fetcher
from journal.models import FetchSettings
from journal.normalize import single_line
from journal.polling import ACCEPT
from journal.urls import BadURL, canonical

_FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json"}
MAX_SITEMAPS = 5  # robots.txt Sitemap: lines looked at


@dataclass(frozen=True)
class Offer:
    """A feed or sitemap a web page points to."""

    url: str
    kind: str  # feed, news sitemap, sitemap index, sitemap


def check(settings: FetchSettings, url: str) -> None:
    """Return when `url` is a feed or a sitemap journal can read; else raise ConfigError
    saying what it is instead (for a web page, with the feeds and sitemaps it offers)."""
    asyncio.run(_check(settings, url))


async def _check(settings: FetchSettings, url: str) -> None:
    async with Fetcher(settings) as fetcher:
        try:
            resp = await fetcher.get(url, accept=ACCEPT, html_only=False)
        except FetchError as exc:
            if not exc.transient:  # refused by the settings or by robots.txt: asking again will not help
                raise ConfigError(f"{url} cannot be read: {exc}.") from None
            raise ConfigError(
                f"{url} does not answer ({exc}); check the address, or try again later."
            ) from None
        if resp.status in (404, 410):
            raise ConfigError(f"{url} answered HTTP {resp.status} (not found); check the address.")
        try:
            parse_feed(resp.body, resp.url, resp.content_type)
            return
        except FeedError as exc:
            problem = str(exc)
        if not _is_html(resp.body, resp.content_type):
            raise ConfigError(f"{url} is not a feed or a sitemap journal can read ({problem}).")
        offers = _announced(resp.body, resp.url) + await _robots_sitemaps(fetcher, resp.url)
    raise ConfigError(_page_message(url, offers))


def _page_message(url: str, offers: tuple[Offer, ...]) -> str:
    if not offers:
        return (
            f"{url} is a web page, not a feed, and it names no feed or sitemap; "
            "give the address of the site's RSS or Atom feed or of its news sitemap."
        )
    listed = "; ".join(f"{o.url} ({o.kind})" for o in offers)
    return (
        f'{url} is a web page, not a feed. It offers: {listed}. Add one with "journal source add NAME URL".'
    )


def _is_html(body: bytes, content_type: str | None) -> bool:
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    head = body[:1024].lstrip().lower()
    return kind in ("text/html", "application/xhtml+xml") or head.startswith((b"<!doctype html", b"<html"))


def _announced(body: bytes, base: str) -> tuple[Offer, ...]:
    """The feeds a page announces with <link rel="alternate" type="…rss+xml|atom+xml">."""
    try:
        tree = lxml.html.document_fromstring(body)
    except (ValueError, lxml.etree.ParserError):
        return ()
    found: dict[str, Offer] = {}
    for link in tree.iterfind(".//link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";", 1)[0].strip().lower()
        if "alternate" in rel and kind in _FEED_TYPES and link.get("href"):
            url = _address(link.get("href", ""), base)
            # A blog's comments feed (WordPress's /comments/feed/) follows readers, not stories.
            if url and url not in found and "comments" not in urlsplit(url).path.lower().split("/"):
                found[url] = Offer(url, "feed")
    return tuple(found.values())


async def _robots_sitemaps(fetcher: Fetcher, url: str) -> tuple[Offer, ...]:
    """The sitemaps robots.txt names, each fetched once to say what it is (news first)."""
    try:
        named = await fetcher.sitemaps(url)
    except FetchError:
        return ()
    offers: list[Offer] = []
    for candidate in dict.fromkeys(a for a in (_address(n, url) for n in named) if a):
        if len(offers) == MAX_SITEMAPS:
            break
        try:
            resp = await fetcher.get(candidate, accept=ACCEPT, html_only=False)
        except FetchError:
            continue
        kind = sitemaps.describe(resp.body, resp.url) if resp.status == 200 else None
        if kind:
            offers.append(Offer(candidate, kind))
    order = {"news sitemap": 0, "sitemap index": 1, "sitemap": 2}
    return tuple(sorted(offers, key=lambda o: order.get(o.kind, 3)))


def _address(href: str, base: str) -> str | None:
    try:
        return canonical(urljoin(base, single_line(href.strip(), 2000)))
    except BadURL:
        return None
