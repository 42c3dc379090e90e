"""Incoming RSS/Atom → FeedEntry values. The only feedparser importer.

feedparser never raises on bad input; it sets `bozo`. Here that becomes an explicit
FeedResult.problem, and a feed with no usable entries becomes a FeedError that names
the reason, so one broken feed is reported and the run goes on.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any
from urllib.parse import urljoin

import feedparser

from journal import sitemaps
from journal.errors import FeedError
from journal.models import FeedEntry, FeedResult
from journal.normalize import single_line
from journal.urls import canonical

_WORD = re.compile(r"\w+")


def parse(body: bytes, feed_url: str, content_type: str | None = None) -> FeedResult:
    """Entries of a feed document (or of a news sitemap: `journal.sitemaps`). Raises
    FeedError when nothing usable is in it."""
    if not body.strip():
        raise FeedError("the feed is empty (0 bytes of content)")
    if sitemaps.is_sitemap(body):
        return sitemaps.parse(body, feed_url)
    headers = {"content-type": content_type} if content_type else None
    parsed: Any = feedparser.parse(body, response_headers=headers, sanitize_html=False)
    problem = _problem(parsed)
    entries: list[FeedEntry] = []
    skipped = 0
    for raw in parsed.get("entries", []):
        try:
            entry = _entry(raw, feed_url)
        except Exception:  # an entry no rule here foresaw is that entry's loss, not the feed's
            entry = None
        if entry is None:
            skipped += 1
        else:
            entries.append(entry)
    version = parsed.get("version") or ""
    if not entries:
        if problem:
            raise FeedError(f"not a readable RSS or Atom feed: {problem}")
        if not version:
            raise FeedError("not an RSS or Atom feed (no feed elements found)")
        if skipped:
            raise FeedError(f"none of its {skipped} entries has a usable http(s) link")
    if skipped:
        note = f"{skipped} entries without a usable link were skipped"
        problem = f"{problem}; {note}" if problem else note
    return FeedResult(entries=tuple(entries), problem=problem)


def _problem(parsed: Any) -> str | None:
    if not parsed.get("bozo"):
        return None
    exc = parsed.get("bozo_exception")
    name = type(exc).__name__ if exc is not None else "error"
    # A feed served as text/html, or with a charset that feedparser had to correct,
    # is routine and harmless once parsed; neither is worth reporting as a problem.
    if name in ("CharacterEncodingOverride", "NonXMLContentType"):
        return None
    return single_line(f"{name}: {exc}", 300)


def _entry(raw: Any, feed_url: str) -> FeedEntry | None:
    guid = raw.get("id") or None
    candidates = [raw.get("link")]
    if guid and raw.get("guidislink"):
        candidates.insert(0, guid)
    candidates += [link.get("href") for link in raw.get("links", []) if link.get("rel") == "alternate"]
    for candidate in candidates:
        if not isinstance(candidate, str) or not candidate.strip():
            continue
        try:
            link = canonical(urljoin(feed_url, candidate.strip()))
        except ValueError:  # BadURL, and urljoin's own ("Invalid IPv6 URL" for http://[::1/x)
            continue
        title = single_line(str(raw.get("title") or ""), 300)
        return FeedEntry(
            link=link, guid=single_line(str(guid), 500) if guid else None, title=title, digest=_digest(raw)
        )
    return None


def _digest(raw: Any) -> str:
    """A digest of the words an entry says about its story: title, summary, content."""
    texts = [raw.get("title"), raw.get("summary")]
    texts += [part.get("value") for part in raw.get("content") or [] if isinstance(part, dict)]
    found = " ".join(_WORD.findall(" ".join(t for t in texts if isinstance(t, str))))
    return hashlib.sha256(found.encode()).hexdigest()[:16] if found else ""
