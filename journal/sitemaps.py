"""News sitemaps as feeds: `<urlset>` (with Google News' `news:` extension) and
`<sitemapindex>`, plain or gzipped, read into FeedEntry values.

An outlet's feed often lists a few of the day's articles while its news sitemap lists
all of them. A source's feed URL may therefore be a sitemap: `feeds.parse` hands it
here. A `<urlset>` gives one entry per `<url>`, titled and dated by `news:title` and
`news:publication_date` when it has them, newest first, each address once. A
`<sitemapindex>` gives no entries but the maps it lists (`FeedResult.maps`), most
recent first by `lastmod` (a map without one first: it may change at any time); the
poller reads the first few of them like feeds (`journal.polling`).

trafilatura's sitemap helpers fetch by themselves and keep only addresses; journal
fetches everything through its Fetcher and needs the titles and dates, so the XML is
read here with lxml, bounded: at most 50 MB once unpacked and 50,000 URLs, the
sitemap protocol's own limits; no entity is expanded and nothing is loaded from the
network.
"""

from __future__ import annotations

import re
import zlib
from datetime import UTC, datetime
from urllib.parse import urljoin

from lxml import etree

from journal.errors import FeedError
from journal.models import FeedEntry, FeedResult
from journal.normalize import single_line
from journal.urls import BadURL, canonical

MAX_BYTES = 50_000_000  # unpacked
MAX_URLS = 50_000
_ROOT = re.compile(
    rb"(?:\xef\xbb\xbf)?(?:\s|<\?xml[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)*"
    rb"<(?:[\w.-]+:)?(?:urlset|sitemapindex)[\s>/]",
    re.DOTALL | re.IGNORECASE,
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$")


def is_sitemap(body: bytes) -> bool:
    """Whether a feed URL's body is a sitemap: gzip, or an XML document whose root is
    `<urlset>` or `<sitemapindex>` (looked for after the declaration and comments)."""
    return body[:2] == b"\x1f\x8b" or _ROOT.match(body[:4096]) is not None


def parse(body: bytes, url: str) -> FeedResult:
    """Entries (or child maps) of a sitemap. Raises FeedError when nothing usable is in it."""
    if body[:2] == b"\x1f\x8b":
        body = _gunzip(body)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"not a readable sitemap ({single_line(str(exc), 200)})") from None
    if root is None:
        raise FeedError("not a readable sitemap (no XML in it)")
    kind = etree.QName(root).localname
    if kind == "sitemapindex":
        return _index(root, url)
    if kind == "urlset":
        return _urlset(root, url)
    raise FeedError(f"not a sitemap (its root element is <{single_line(kind, 40)}>)")


def _index(root: etree._Element, url: str) -> FeedResult:
    found: list[tuple[str, str]] = []
    seen = {url}
    for item in _children(root, "sitemap"):
        loc = _address(_text(item, "loc"), url)
        if loc is None or loc in seen:
            continue
        seen.add(loc)
        found.append((_date(_text(item, "lastmod")) or "", loc))
        if len(found) >= MAX_URLS:
            break
    if not found:
        raise FeedError("a sitemap index that lists no sitemap")
    undated = [loc for stamp, loc in found if not stamp]
    dated = [loc for _, loc in sorted((f for f in found if f[0]), key=lambda f: f[0], reverse=True)]
    return FeedResult(entries=(), maps=tuple(undated + dated))


def _urlset(root: etree._Element, url: str) -> FeedResult:
    entries: dict[str, tuple[str, FeedEntry]] = {}
    skipped = 0
    for item in _children(root, "url"):
        link = _address(_text(item, "loc"), url)
        if link is None:
            skipped += 1
            continue
        if link in entries:
            continue
        news = next(_children(item, "news"), None)
        title = _text(news, "title") if news is not None else ""
        published = _date(_text(news, "publication_date")) if news is not None else None
        entry = FeedEntry(link=link, title=single_line(title, 300), published=published)
        entries[link] = (published or _date(_text(item, "lastmod")) or "", entry)
        if len(entries) >= MAX_URLS:
            break
    if not entries:
        raise FeedError(
            "a sitemap that lists no article" + (f" ({skipped} unusable addresses)" if skipped else "")
        )
    # Newest first: the order articles are found in is the order they are first checked.
    ordered = sorted(entries.values(), key=lambda pair: pair[0], reverse=True)
    problem = f"{skipped} entries without a usable address were skipped" if skipped else None
    return FeedResult(entries=tuple(entry for _, entry in ordered), problem=problem)


def _children(node: etree._Element, name: str) -> etree._ElementIterator[etree._Element]:
    """Child elements called `name` in any namespace (sitemaps come with and without)."""
    return node.iterchildren(f"{{*}}{name}", name)


def _text(node: etree._Element | None, name: str) -> str:
    if node is None:
        return ""
    child = next(_children(node, name), None)
    return (child.text or "").strip() if child is not None else ""


def _address(loc: str, base: str) -> str | None:
    if not loc:
        return None
    try:
        return canonical(urljoin(base, loc))
    except BadURL:
        return None


def _date(value: str) -> str | None:
    """A W3C datetime (the sitemap protocol's form) as UTC `2026-11-02T09:30:00Z`, which
    sorts as text; None when it is not one."""
    value = value.strip()
    if not _DATE.match(value):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _gunzip(data: bytes) -> bytes:
    """A gzipped sitemap unpacked, refused past MAX_BYTES (a small file can unpack huge)."""
    inflater = zlib.decompressobj(31)
    try:
        out = inflater.decompress(data, MAX_BYTES + 1)
    except zlib.error as exc:
        raise FeedError(f"a corrupt gzipped sitemap ({exc})") from None
    if len(out) > MAX_BYTES:
        raise FeedError(f"a gzipped sitemap over {MAX_BYTES:,} bytes unpacked")
    if not inflater.eof:
        raise FeedError("a corrupt gzipped sitemap (it ends early)")
    return out


def describe(body: bytes, url: str) -> str | None:
    """What a sitemap is, for a person choosing one: 'news sitemap' (its entries carry
    news:publication_date), 'sitemap index' or 'sitemap'; None when it is none."""
    if not is_sitemap(body):
        return None
    try:
        result = parse(body, url)
    except FeedError:
        return None
    if result.maps:
        return "sitemap index"
    return "news sitemap" if any(entry.published for entry in result.entries) else "sitemap"
