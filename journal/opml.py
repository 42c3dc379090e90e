"""OPML 2.0, the format every feed reader imports and exports: sources in and out.

Reading takes every `<outline>` with an `xmlUrl`, at any depth (readers nest feeds
in folders: categories); a source is named after the feed's `title` (else `text`,
else its site's host) made into a source name, and feeds whose names come out the
same are one source. Writing gives one outline per feed, its `text` and `title`
the source's name, so an export read back makes the same sources.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from journal.errors import ConfigError
from journal.models import Source
from journal.urls import SOURCE_NAME, BadURL, canonical, host_of


@dataclass(frozen=True)
class Feed:
    """One feed of an OPML file."""

    name: str  # the source it goes to
    url: str
    title: str
    category: str  # the folders around it, "News/World"; empty at the top


def read(data: bytes, where: str) -> tuple[list[Feed], list[str]]:
    """The feeds of an OPML document, and a line for each outline that was left out."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ConfigError(
            f"{where} is not OPML (XML error: {exc}); export the file again from your reader."
        ) from None
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise ConfigError(f"{where} is not OPML (no <opml><body>); export the file again from your reader.")
    feeds: list[Feed] = []
    skipped: list[str] = []
    _walk(body, [], feeds, skipped)
    return feeds, skipped


def _walk(parent: ET.Element, folders: list[str], feeds: list[Feed], skipped: list[str]) -> None:
    for outline in parent.findall("outline"):
        label = " ".join((outline.get("title") or outline.get("text") or "").split())
        url = (outline.get("xmlUrl") or "").strip()
        if not url:
            _walk(outline, [*folders, label] if label else folders, feeds, skipped)
            continue
        try:
            address = canonical(url)
        except BadURL:
            skipped.append(f"{label or '(untitled)'}: {url[:200]!r} is not an http(s) feed address")
            continue
        name = source_name(label) or source_name(host_of(address)) or "feed"
        feeds.append(Feed(name, url, label, "/".join(folders)))


def source_name(text: str) -> str:
    """'BBC News - World' → 'bbc-news-world', 'Le Monde.fr - Actualités' →
    'le-monde-fr-actualites': a valid source name of whole words, or ''."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    name = ""
    for word in re.findall(r"[a-z0-9]+", ascii_text.lower()):
        if len(name) + len(word) + 1 > 40:
            break
        name = f"{name}-{word}" if name else word
    return name if SOURCE_NAME.match(name) else ""


def write(sources: tuple[Source, ...], title: str = "journal sources", now: datetime | None = None) -> bytes:
    """An OPML 2.0 document with one outline per feed."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(now or datetime.now(UTC), usegmt=True)
    body = ET.SubElement(root, "body")
    for source in sources:
        for feed in source.feeds:
            ET.SubElement(body, "outline", type="rss", text=source.name, title=source.name, xmlUrl=feed)
    ET.indent(root)
    xml: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml + b"\n"


def plan(feeds: list[Feed], sources: tuple[Source, ...]) -> dict[str, list[str]]:
    """The feeds to add, by source name: feeds followed already (by any source) are left out."""
    followed = set()
    for source in sources:
        for url in source.feeds:
            try:
                followed.add(canonical(url))
            except BadURL:
                followed.add(url)
    out: dict[str, list[str]] = {}
    for feed in feeds:
        key = canonical(feed.url)
        if key in followed:
            continue
        followed.add(key)
        out.setdefault(feed.name, []).append(feed.url)
    return out
